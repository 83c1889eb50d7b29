/**
 * The W3C Trace Context Level 2 propagator: `traceparent` and `tracestate`.
 *
 * Differences from `@opentelemetry/core`'s `W3CTraceContextPropagator`, each from the spec text:
 * - the random flag (0x02) of an incoming `traceparent` is kept in the span context, so it goes
 *   out again ("Random Trace ID Flag"); flags other than sampled and random are sent as zero
 *   ("Other Flags": "Vendors MUST set those to zero");
 * - `tracestate` uses the current key grammar and is dropped whole when invalid, while
 *   `traceparent` still propagates (`trace_state.ts`);
 * - an empty `tracestate` is never sent;
 * - a `ShedSpan` being injected is recorded first (see `shed_span.ts`).
 */
import {
  type Context,
  isSpanContextValid,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import { BYTE_HEX } from "../hex.ts";
import { ShedSpan } from "./shed_span.ts";
import { parseTraceState } from "./trace_state.ts";

export const TRACEPARENT = "traceparent";
export const TRACESTATE = "tracestate";

/** Trace flags this version of the spec defines: sampled (0x01) and random (0x02). */
export const KNOWN_FLAGS = 0x03;
/** The random trace id flag of Trace Context Level 2. */
export const RANDOM_FLAG = 0x02;

const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
// A higher version: the version-00 fields first, then either the end or a dash and more.
const FUTURE_VERSION = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZERO = /^0+$/;
const OWS = /^[ \t]+|[ \t]+$/g;

/**
 * Parses a `traceparent` value per "Versioning of traceparent": version 00 must match exactly;
 * a higher version is read for its first three fields; version ff, all-zero ids and anything
 * else give `undefined`, so the next span restarts the trace.
 */
export function parseTraceParent(header: string): SpanContext | undefined {
  const value = header.replace(OWS, "");
  const match = value.startsWith("00-") ? VERSION_00.exec(value) : futureVersion(value);
  if (match === null) return undefined;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) & KNOWN_FLAGS, isRemote: true };
}

function futureVersion(value: string): RegExpExecArray | null {
  const match = FUTURE_VERSION.exec(value);
  if (match === null || match[1] === "ff") return null;
  // Drop the version and the tail, leaving [whole, traceId, spanId, flags] like VERSION_00.
  match.splice(1, 1);
  return match;
}

/** The `traceparent` value of a span context: version 00, only the known flags. */
export function formatTraceParent(spanContext: SpanContext): string {
  const flags = BYTE_HEX[spanContext.traceFlags & KNOWN_FLAGS];
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** W3C Trace Context Level 2 for `propagation.setGlobalPropagator`. */
export class W3CTraceContextLevel2Propagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = trace.getSpan(context);
    // A shed span's id is about to reach another service: record it so that service's spans
    // have a parent that exists.
    if (span instanceof ShedSpan && !isTracingSuppressed(context)) span.bridge();
    const spanContext = span?.spanContext();
    if (spanContext === undefined || !isSpanContextValid(spanContext)) return;
    if (isTracingSuppressed(context)) return;
    setter.set(carrier, TRACEPARENT, formatTraceParent(spanContext));
    const traceState = spanContext.traceState?.serialize();
    if (traceState !== undefined && traceState !== "") setter.set(carrier, TRACESTATE, traceState);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const parentHeader = getter.get(carrier, TRACEPARENT);
    // Two traceparent fields cannot be one parent: ignore both (the trace restarts).
    const parent = Array.isArray(parentHeader)
      ? (parentHeader.length === 1 ? parentHeader[0] : undefined)
      : parentHeader;
    if (typeof parent !== "string") return context;
    const spanContext = parseTraceParent(parent);
    if (spanContext === undefined) return context;
    // Several tracestate fields are one list, in order (RFC 9110, "Field Order").
    const stateHeader = getter.get(carrier, TRACESTATE);
    const state = Array.isArray(stateHeader) ? stateHeader.join(",") : stateHeader;
    if (typeof state === "string") {
      const traceState = parseTraceState(state);
      if (traceState !== undefined && traceState.size > 0) spanContext.traceState = traceState;
    }
    return trace.setSpanContext(context, spanContext);
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}
