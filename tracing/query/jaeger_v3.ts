/**
 * Jaeger's v3 query API (`/api/v3/...`, the HTTP form of api_v3's QueryService): results are OTLP
 * JSON wrapped as `{"result":{"resourceSpans":[...]}}`, errors `{"error":{"httpCode","message"}}`.
 */
import { Hono } from "hono";
import { HttpError } from "../../lib/http/errors.ts";
import { searchTraces } from "./search.ts";
import { toResourceSpans } from "./otlp_json_out.ts";
import { parseDuration, parseLimit, parseTags, parseTimeMicros } from "./params.ts";
import { SPAN_KINDS } from "../span_model.ts";
import type { StoreQueries, TraceQuery } from "../store/query.ts";

/** Routes of the v3 API. */
export function jaegerV3Routes(store: StoreQueries): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    const status = error instanceof HttpError ? error.status : 500;
    const message = error instanceof HttpError ? error.message : "Internal server error";
    return c.json({ error: { httpCode: status, message } }, status);
  });
  app.get("/api/v3/services", (c) => c.json({ services: store.services() }));
  app.get("/api/v3/operations", (c) => {
    const service = c.req.query("service") || undefined;
    const kind = c.req.query("span_kind") || undefined;
    const operations = store.operations(service)
      .map((op) => ({ name: op.name, spanKind: op.kind === 0 ? "" : SPAN_KINDS[op.kind] ?? "" }))
      .filter((op) => kind === undefined || op.spanKind === kind);
    return c.json({ operations });
  });
  app.get("/api/v3/traces/:traceId", (c) => {
    const trace = store.getTrace(c.req.param("traceId"));
    if (trace === undefined) throw new HttpError(404, "trace_not_found", "trace not found");
    return c.json({ result: { resourceSpans: toResourceSpans(trace.spans) } });
  });
  app.get("/api/v3/traces", (c) => {
    const get = (name: string) => c.req.query(`query.${name}`) || undefined;
    const query: TraceQuery = {
      tags: parseTags(c.req.queries("query.attributes") ?? []),
      limit: parseLimit(get("search_depth") ?? get("num_traces"), 20),
    };
    const service = get("service_name");
    const operation = get("operation_name");
    if (service !== undefined) query.service = service;
    if (operation !== undefined) query.operation = operation;
    const min = get("duration_min");
    const max = get("duration_max");
    const start = get("start_time_min");
    const end = get("start_time_max");
    if (min !== undefined) query.minDurationUs = parseDuration("query.duration_min", min);
    if (max !== undefined) query.maxDurationUs = parseDuration("query.duration_max", max);
    if (start !== undefined) query.startUs = parseTimeMicros("query.start_time_min", start);
    if (end !== undefined) query.endUs = parseTimeMicros("query.start_time_max", end);
    const spans = searchTraces(store, query).flatMap((trace) => trace.spans);
    return c.json({ result: { resourceSpans: toResourceSpans(spans) } });
  });
  return app;
}
