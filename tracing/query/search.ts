/** Trace search shared by the own API, Jaeger's v1 and v3 APIs and the trace page. */
import type { StoredTrace, StoreQueries, TraceQuery } from "../store/query.ts";
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

/** Runs a search and loads each matching trace. */
export function searchTraces(store: StoreQueries, query: TraceQuery): StoredTrace[] {
  return store.findTraceIds(query).map((id) => store.getTrace(id))
    .filter((trace): trace is StoredTrace => trace !== undefined);
}
