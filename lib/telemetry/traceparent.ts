/**
 * The W3C `traceparent` parser the services' propagator uses, for code that reads a traceparent
 * from somewhere other than headers (a JSON body): one grammar for the whole repository.
 */
import { parseTraceParent } from "./trace_context.ts";

/** The ids and flags of a valid `traceparent`. */
export interface Traceparent {
  traceId: string;
  spanId: string;
  /** The sampled (0x01) and random (0x02) flags; the others are not defined and dropped. */
  traceFlags: number;
}

/**
 * Parses `text` per W3C Trace Context Level 2 (version `ff` and all-zero ids rejected, later
 * versions may carry extra fields); `undefined` when it is not a valid traceparent.
 */
export function parseTraceparent(text: string): Traceparent | undefined {
  const parsed = parseTraceParent(text);
  return parsed === undefined
    ? undefined
    : { traceId: parsed.traceId, spanId: parsed.spanId, traceFlags: parsed.traceFlags };
}
