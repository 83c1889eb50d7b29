/**
 * Jaeger's v3 query API (`/api/v3/...`, the HTTP form of api_v3's QueryService): results are OTLP
 * JSON wrapped as `{"result":{"resourceSpans":[...]}}`, errors `{"error":{"httpCode","message"}}`.
 * Parameters are read by `jaeger_v3_params.ts`.
 */
import { Hono } from "hono";
import { HttpError } from "../../lib/http/errors.ts";
import { searchTraces } from "./search.ts";
import { toResourceSpans } from "./otlp_json_out.ts";
import {
  checkGetTraceParams,
  parseTraceIdParam,
  readFindTracesQuery,
  readOperationsParams,
  readV3Params,
} from "./jaeger_v3_params.ts";
import { summarizeTrace } from "./jaeger_v3_summaries.ts";
import { SPAN_KINDS } from "../span_model.ts";
import type { StoreQueries } from "../store/query.ts";

/** Routes of the v3 API. */
export function jaegerV3Routes(store: StoreQueries): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    const status = error instanceof HttpError ? error.status : 500;
    const message = error instanceof HttpError ? error.message : "Internal server error";
    return c.json({ error: { httpCode: status, message } }, status);
  });
  app.get("/api/v3/services", (c) => {
    readV3Params(c.req.url, []);
    return c.json({ services: store.services() });
  });
  app.get("/api/v3/operations", (c) => {
    const { service, spanKind } = readOperationsParams(c.req.url);
    const operations = store.operations(service)
      .map((op) => ({ name: op.name, spanKind: op.kind === 0 ? "" : SPAN_KINDS[op.kind] ?? "" }))
      .filter((op) =>
        spanKind === undefined || op.spanKind === (spanKind === "unspecified" ? "" : spanKind)
      );
    return c.json({ operations });
  });
  app.get("/api/v3/traces/:traceId", (c) => {
    const traceId = parseTraceIdParam(c.req.param("traceId"));
    checkGetTraceParams(c.req.url);
    const trace = store.getTrace(traceId);
    if (trace === undefined) throw new HttpError(404, "trace_not_found", "trace not found");
    return c.json({ result: { resourceSpans: toResourceSpans(trace.spans) } });
  });
  app.get("/api/v3/traces", (c) => {
    const spans = searchTraces(store, readFindTracesQuery(c.req.url)).flatMap((t) => t.spans);
    return c.json({ result: { resourceSpans: toResourceSpans(spans) } });
  });
  app.get("/api/v3/trace-summaries", (c) => {
    const traces = searchTraces(store, readFindTracesQuery(c.req.url));
    return c.json({ summaries: traces.map((trace) => summarizeTrace(trace.spans)) });
  });
  app.all("/api/v3/*", (c) => {
    throw new HttpError(404, "not_found", `No v3 endpoint ${c.req.method} ${c.req.path}`);
  });
  return app;
}
