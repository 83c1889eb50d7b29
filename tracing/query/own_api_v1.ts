/** The service's own query API under `/api/v1`. */
import { Hono } from "hono";
import { errorBody, HttpError } from "../../lib/http/errors.ts";
import { SPAN_KINDS } from "../span_model.ts";
import type { StoreQueries } from "../store/query.ts";
import { parseDuration, parseTimeMicros } from "./params.ts";
import { readTraceQuery, searchTraces } from "./search.ts";
import { lookupMessage, lookUpTrace } from "./trace_lookup.ts";
import { latencyStats, traceSummary, traceView } from "./trace_view.ts";

/** Routes of the own API; `health` adds the pipeline's numbers to `/api/v1/health`. */
export function ownApiRoutes(
  store: StoreQueries,
  health: () => Record<string, unknown>,
): Hono {
  const app = new Hono();
  app.get("/api/v1/traces/search", (c) => {
    const query = readTraceQuery((n) => c.req.query(n), (n) => c.req.queries(n));
    const traces = searchTraces(store, query).map(traceSummary);
    return c.json({ traces, count: traces.length });
  });
  app.get("/api/v1/traces/:traceId", (c) => {
    const id = c.req.param("traceId");
    const lookup = lookUpTrace(store, id);
    if (lookup.kind === "found") return c.json(traceView(lookup.trace));
    const message = lookupMessage(id, lookup);
    if (lookup.kind === "invalid") throw new HttpError(400, "invalid_trace_id", message);
    if (lookup.kind === "not_found") throw new HttpError(404, "trace_not_found", message);
    // 300 Multiple Choices: the prefix names several traces; the client picks one.
    return c.json({
      ...errorBody("ambiguous_trace_id", message),
      matches: lookup.traces.map(traceSummary),
    }, 300);
  });
  app.get("/api/v1/services", (c) => c.json({ services: store.services() }));
  app.get("/api/v1/operations", (c) => {
    const service = c.req.query("service") || undefined;
    const operations = store.operations(service).map((op) => ({
      service: op.service,
      name: op.name,
      kind: SPAN_KINDS[op.kind] ?? "unspecified",
    }));
    return c.json({ operations });
  });
  app.get("/api/v1/metrics", (c) => {
    const service = c.req.query("service");
    if (service === undefined || service === "") {
      throw new HttpError(400, "invalid_request", 'Missing "service": name the service to measure');
    }
    const operation = c.req.query("operation") || undefined;
    const windowMs = parseDuration("window", c.req.query("window") ?? "5m") / 1000;
    const samples = store.spanSamples({
      service,
      ...(operation === undefined ? {} : { operation }),
      sinceUs: (Date.now() - windowMs) * 1000,
    });
    return c.json({
      service,
      operation: operation ?? null,
      window_ms: windowMs,
      ...latencyStats(samples, windowMs),
    });
  });
  app.get("/api/v1/dependencies", (c) => {
    const endUs = c.req.query("end")
      ? parseTimeMicros("end", c.req.query("end")!)
      : Date.now() * 1000;
    const lookbackUs = parseDuration("lookback", c.req.query("lookback") ?? "24h");
    const dependencies = store.dependencies(endUs - lookbackUs, endUs)
      .map((d) => ({ parent: d.parent, child: d.child, call_count: d.callCount }));
    return c.json({ dependencies });
  });
  app.get("/api/v1/health", (c) => {
    c.header("cache-control", "no-store");
    return c.json({ status: "ok", ...health() });
  });
  return app;
}
