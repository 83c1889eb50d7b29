/** Trace search shared by the own API, Jaeger's v1 and v3 APIs and the trace page. */
import {
  type StoredTrace,
  type StoreQueries,
  TRACE_READ_LIMIT,
  type TraceQuery,
  type TraceReadLimit,
} from "../store/query.ts";
import { parseDuration, parseLimit, parseTags, parseTimeMicros } from "./params.ts";
import { searchEndMicros } from "../span_times.ts";

/** Reads a trace search from query parameters (own API and Jaeger v1 share the names). */
export function readTraceQuery(
  query: (name: string) => string | undefined,
  queries: (name: string) => string[] | undefined,
  options: { nowMs?: number; defaultLimit?: number } = {},
): TraceQuery {
  const nowMs = options.nowMs ?? Date.now();
  const get = (name: string) => {
    const value = query(name);
    return value === undefined || value === "" ? undefined : value;
  };
  const result: TraceQuery = {
    tags: parseTags([...(queries("tags") ?? []), ...(queries("tag") ?? [])]),
    limit: parseLimit(get("limit"), options.defaultLimit ?? 20),
  };
  const service = get("service");
  const operation = get("operation");
  if (service !== undefined) result.service = service;
  if (operation !== undefined && operation !== "all") result.operation = operation;
  const min = get("minDuration");
  const max = get("maxDuration");
  if (min !== undefined) result.minDurationUs = parseDuration("minDuration", min);
  if (max !== undefined) result.maxDurationUs = parseDuration("maxDuration", max);
  const start = get("start");
  const end = get("end");
  const lookback = get("lookback");
  // Without an end, a span dated far ahead (stored before times were checked) is left out.
  result.endUs = end === undefined ? searchEndMicros(nowMs) : parseTimeMicros("end", end);
  if (start !== undefined) result.startUs = parseTimeMicros("start", start);
  else if (lookback !== undefined && lookback !== "custom") {
    result.startUs = (end === undefined ? nowMs * 1000 : result.endUs) -
      parseDuration("lookback", lookback);
  }
  return result;
}

/** Runs a search and loads each matching trace, all of them within one `TRACE_READ_LIMIT`. */
export function searchTraces(store: StoreQueries, query: TraceQuery): StoredTrace[] {
  return readTraces(store, store.findTraceIds(query));
}

/**
 * Loads the traces `ids` names that are stored, sharing one read limit: once it is spent, each
 * further trace loads its first span only (and says what it left out), so an answer listing many
 * large traces stays about as large as one.
 */
export function readTraces(
  store: Pick<StoreQueries, "getTrace">,
  ids: readonly string[],
  limit: TraceReadLimit = TRACE_READ_LIMIT,
): StoredTrace[] {
  let items = limit.maxItems;
  let bytes = limit.maxBytes;
  const traces: StoredTrace[] = [];
  for (const id of ids) {
    const trace = store.getTrace(id, {
      maxItems: Math.max(1, items),
      maxBytes: Math.max(1, bytes),
    });
    if (trace === undefined) continue;
    traces.push(trace);
    items -= trace.spans.length + trace.logs.length;
    bytes -= trace.readBytes ?? 0;
  }
  return traces;
}
