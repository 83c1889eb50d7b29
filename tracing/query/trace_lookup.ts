/**
 * Opening a trace by what a person has: its full id, or a prefix of at least 8 hex digits as the
 * logs and the search page show it. The page and the own API share this; Jaeger's APIs take full
 * ids only, as Jaeger does.
 */
import {
  type StoredTrace,
  type StoreQueries,
  TRACE_READ_LIMIT,
  type TraceReadLimit,
} from "../store/query.ts";
import { readTraces } from "./search.ts";
import { isTraceId, isTraceIdPrefix, MIN_TRACE_ID_PREFIX } from "../trace_id.ts";

/** How many traces an ambiguous prefix lists. */
export const MAX_LISTED_MATCHES = 20;

/** What a trace id or prefix opens. */
export type TraceLookup =
  | { readonly kind: "found"; readonly traceId: string; readonly trace: StoredTrace }
  /** Several stored traces start with the prefix: the first `MAX_LISTED_MATCHES`, in id order. */
  | { readonly kind: "ambiguous"; readonly traces: readonly StoredTrace[]; readonly more: boolean }
  | { readonly kind: "not_found" }
  | { readonly kind: "invalid" };

/** Finds the trace `id` names: a full trace id, or the only stored trace that starts with it. */
export function lookUpTrace(
  store: Pick<StoreQueries, "getTrace" | "traceIdsWithPrefix">,
  id: string,
  options: { limit?: TraceReadLimit } = {},
): TraceLookup {
  const limit = options.limit ?? TRACE_READ_LIMIT;
  if (isTraceId(id)) {
    const trace = store.getTrace(id, limit);
    return trace === undefined
      ? { kind: "not_found" }
      : { kind: "found", traceId: id.toLowerCase(), trace };
  }
  if (!isTraceIdPrefix(id)) return { kind: "invalid" };
  const ids = store.traceIdsWithPrefix(id, MAX_LISTED_MATCHES + 1);
  // Retention may have removed some since; all of them share one read limit.
  const found = readTraces(store, ids.slice(0, MAX_LISTED_MATCHES), limit)
    .map((trace) => ({ traceId: trace.spans[0]!.traceId, trace }));
  if (found.length === 0) return { kind: "not_found" };
  if (found.length === 1) return { kind: "found", ...found[0]! };
  const traces = found.map((match) => match.trace);
  return { kind: "ambiguous", traces, more: ids.length > MAX_LISTED_MATCHES };
}

/** The message for a lookup that opened no single trace. */
export function lookupMessage(id: string, lookup: Exclude<TraceLookup, { kind: "found" }>): string {
  switch (lookup.kind) {
    case "invalid":
      return `Invalid trace id "${id}": expected 32 hex digits, or the first ${MIN_TRACE_ID_PREFIX} or more of them`;
    case "not_found":
      return isTraceId(id)
        ? `Trace "${id}" not found: it may not have arrived yet, or it was sampled out or expired`
        : `No trace id starts with "${id}": it may not have arrived yet, or it was sampled out or expired`;
    case "ambiguous":
      return `Trace id prefix "${id}" matches ${
        lookup.more ? "more than " : ""
      }${lookup.traces.length} traces: give more digits, or pick one`;
  }
}
