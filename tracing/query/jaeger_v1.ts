/**
 * Jaeger's v1 query API (`/api/...` of jaeger-query) with its `{data,total,limit,offset,errors}`
 * envelope, so Jaeger UI and Grafana's Jaeger data source can read this service. Errors use
 * Jaeger's envelope too: `{"data":null,...,"errors":[{"code","msg"}]}`.
 */
import { type Context, Hono } from "hono";
import { HttpError } from "../../lib/http/errors.ts";
import { jaegerEnvelope as envelope, jaegerErrorHandler } from "./jaeger_envelope.ts";
import { readTraceQuery, readTraces, searchTraces } from "./search.ts";
import { toJaegerTrace } from "./jaeger_model.ts";
import { adjustJaegerTrace } from "./jaeger_adjusters.ts";
import { parseDuration } from "./params.ts";
import { SPAN_KINDS } from "../span_model.ts";
import type { StoredTrace, StoreQueries } from "../store/query.ts";

/** jaeger-query's `limit` when a search names none. */
const JAEGER_DEFAULT_LIMIT = 100;

/** Routes of the Jaeger v1 query API. */
export function jaegerV1Routes(store: StoreQueries): Hono {
  const app = new Hono();
  app.onError(jaegerErrorHandler);
  const counted = { counted: true };
  app.get("/api/services", (c) => envelope(c, store.services(), counted));
  app.get("/api/services/:service/operations", (c) => {
    const names = store.operations(c.req.param("service")).map((op) => op.name);
    return envelope(c, [...new Set(names)], counted);
  });
  app.get("/api/operations", (c) => {
    const service = c.req.query("service") || undefined;
    // jaeger-query's own words, as Jaeger UI shows them.
    if (service === undefined) {
      throw new HttpError(400, "invalid_request", "parameter 'service' is required");
    }
    const kind = c.req.query("spanKind") || undefined;
    const operations = store.operations(service)
      .map((op) => ({
        name: op.name,
        spanKind: SPAN_KINDS[op.kind] === "unspecified" ? "" : SPAN_KINDS[op.kind] ?? "",
      }))
      .filter((op) => kind === undefined || op.spanKind === kind);
    return envelope(c, operations, counted);
  });
  // As jaeger-query: adjusted (sorted tags, clock-skew warnings) unless raw=true.
  const view = (c: Context) => {
    const raw = c.req.query("raw") === "true";
    return (trace: StoredTrace) =>
      raw ? toJaegerTrace(trace) : adjustJaegerTrace(toJaegerTrace(trace), trace.spans);
  };
  app.get("/api/traces", (c) => {
    const ids = c.req.queries("traceID") ?? [];
    if (ids.length > 0) {
      // All of them share one read limit, as a search's traces do.
      const traces = readTraces(store, ids);
      const found = new Set(traces.map((trace) => trace.spans[0]!.traceId));
      const errors = ids.filter((id) => !found.has(id.toLowerCase()))
        .map((id) => ({ msg: "trace not found", traceID: id }));
      return envelope(c, traces.map(view(c)), { errors });
    }
    const query = readTraceQuery((n) => c.req.query(n), (n) => c.req.queries(n), {
      defaultLimit: JAEGER_DEFAULT_LIMIT,
    });
    return envelope(c, searchTraces(store, query).map(view(c)));
  });
  app.get("/api/traces/:traceId", (c) => {
    const trace = store.getTrace(c.req.param("traceId"));
    if (trace === undefined) throw new HttpError(404, "trace_not_found", "trace not found");
    return envelope(c, [view(c)(trace)]);
  });
  app.get("/api/dependencies", (c) => {
    const endTs = Number(c.req.query("endTs") ?? Date.now());
    const lookbackMs = c.req.query("lookback") === undefined
      ? 24 * 3600_000
      : parseDuration("lookback", c.req.query("lookback")!) / 1000;
    if (!Number.isFinite(endTs)) {
      throw new HttpError(
        400,
        "invalid_request",
        `Invalid endTs "${c.req.query("endTs")}": expected epoch milliseconds`,
      );
    }
    return envelope(c, store.dependencies((endTs - lookbackMs) * 1000, endTs * 1000));
  });
  return app;
}
