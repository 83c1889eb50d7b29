/**
 * `GET /api/v1/logs`: log records stored with their trace and span ids, newest first, filtered by
 * `service`, `level` (that severity and above), `trace_id`, text `q` (body and attribute values),
 * a time window (`start`/`end`, or `lookback`, default 1h) and `limit` (default 100, at most 1000).
 */
import { Hono } from "hono";
import { HttpError } from "../../lib/http/errors.ts";
import type { LogQueries, LogQuery } from "../store/log_query.ts";
import { parseDuration, parseLimit, parseTimeMicros } from "./params.ts";
import { logView } from "./trace_view.ts";

/** Level names and the OTLP severity number each one starts at. */
export const LOG_LEVEL_SEVERITY: Readonly<Record<string, number>> = {
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
};

const TRACE_ID = /^[0-9a-fA-F]{32}$/;

/** Reads a log search from query parameters; throws `HttpError` 400 on a bad one. */
export function readLogQuery(
  query: (name: string) => string | undefined,
  nowMs = Date.now(),
): LogQuery {
  const get = (name: string) => {
    const value = query(name)?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const result: LogQuery = { limit: parseLimit(get("limit"), 100) };
  const service = get("service");
  if (service !== undefined) result.service = service;
  const level = get("level")?.toLowerCase();
  if (level !== undefined) {
    const severity = LOG_LEVEL_SEVERITY[level];
    if (severity === undefined) {
      throw new HttpError(
        400,
        "invalid_request",
        `Invalid level "${get("level")}": expected one of ${
          Object.keys(LOG_LEVEL_SEVERITY).join(", ")
        }`,
      );
    }
    result.minSeverity = severity;
  }
  const traceId = get("trace_id");
  if (traceId !== undefined) {
    if (!TRACE_ID.test(traceId)) {
      throw new HttpError(
        400,
        "invalid_trace_id",
        `Invalid trace_id "${traceId}": expected 32 hex digits`,
      );
    }
    result.traceId = traceId.toLowerCase();
  }
  const text = get("q");
  if (text !== undefined) result.text = text;
  const start = get("start");
  const end = get("end");
  if (end !== undefined) result.endUs = parseTimeMicros("end", end);
  if (start !== undefined) result.startUs = parseTimeMicros("start", start);
  else if (traceId === undefined || get("lookback") !== undefined) {
    // A trace's logs are found whenever they were written; a general search looks back 1h.
    const lookback = get("lookback") ?? "1h";
    if (lookback !== "custom") {
      result.startUs = (result.endUs ?? nowMs * 1000) - parseDuration("lookback", lookback);
    }
  }
  return result;
}

/** Routes of the logs API. */
export function logsApiRoutes(store: LogQueries): Hono {
  const app = new Hono();
  app.get("/api/v1/logs", (c) => {
    const logs = store.findLogs(readLogQuery((name) => c.req.query(name))).map(logView);
    return c.json({ logs, count: logs.length });
  });
  return app;
}
