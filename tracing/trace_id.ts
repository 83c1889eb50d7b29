/** The one test of trace and span ids in the tracing service: W3C ids as hex text. */

const TRACE_ID = /^[0-9a-fA-F]{32}$/;
const SPAN_ID = /^[0-9a-fA-F]{16}$/;

/** Whether `text` is a trace id: 32 hex digits (either case, as Jaeger clients send them). */
export function isTraceId(text: string): boolean {
  return TRACE_ID.test(text);
}

/** Whether `text` is a span id: 16 hex digits. */
export function isSpanId(text: string): boolean {
  return SPAN_ID.test(text);
}
