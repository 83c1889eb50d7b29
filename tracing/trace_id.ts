/** The one test of trace and span ids in the tracing service: W3C ids as hex text. */

const TRACE_ID = /^[0-9a-fA-F]{32}$/;
const TRACE_ID_PREFIX = /^[0-9a-fA-F]{8,32}$/;
const SPAN_ID = /^[0-9a-fA-F]{16}$/;

/** Whether `text` is a trace id: 32 hex digits (either case, as Jaeger clients send them). */
export function isTraceId(text: string): boolean {
  return TRACE_ID.test(text);
}

/**
 * The fewest leading hex digits that open a trace: 32 bits, so two traces share them only in a
 * store of tens of thousands (and then the page lists both).
 */
export const MIN_TRACE_ID_PREFIX = 8;

/** Whether `text` can open a trace: a trace id or its first `MIN_TRACE_ID_PREFIX` or more digits. */
export function isTraceIdPrefix(text: string): boolean {
  return TRACE_ID_PREFIX.test(text);
}

/** Whether `text` is a span id: 16 hex digits. */
export function isSpanId(text: string): boolean {
  return SPAN_ID.test(text);
}
