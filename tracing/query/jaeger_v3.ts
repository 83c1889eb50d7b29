/**
 * Jaeger's v3 query API (`/api/v3/...`, the HTTP form of api_v3's QueryService): results are OTLP
 * JSON wrapped as `{"result":{"resourceSpans":[...]}}`, errors `{"error":{"httpCode","message"}}`.
 * Parameters are read by `jaeger_v3_params.ts`.
 */
import { Hono } from "hono";
import { HttpError } from "../../lib/http/errors.ts";
import { searchTraces } from "./search.ts";
import { toResourceSpans } from "./otlp_json_out.ts";
import { adjustOtlpSpans } from "./jaeger_adjusters.ts";
import {
  checkGetTraceParams,
  parseTraceIdParam,
  readFindTracesQuery,
  readFindTracesRaw,
  readOperationsParams,
  readV3Params,
} from "./jaeger_v3_params.ts";
import { summarizeTrace } from "./jaeger_v3_summaries.ts";
import { SPAN_KINDS } from "../span_model.ts";
import type { SpanRecord } from "../span_model.ts";
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
    const raw = checkGetTraceParams(c.req.url);
    const trace = store.getTrace(traceId);
    if (trace === undefined) throw new HttpError(404, "trace_not_found", "trace not found");
    return c.json({ result: { resourceSpans: resourceSpans([trace.spans], raw) } });
  });
  app.get("/api/v3/traces", (c) => {
    const traces = searchTraces(store, readFindTracesQuery(c.req.url)).map((t) => t.spans);
    return c.json({
      result: { resourceSpans: resourceSpans(traces, readFindTracesRaw(c.req.url)) },
    });
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

/**
 * OTLP JSON as Jaeger's v3 gateway writes it: adjusted per trace unless `raw`, and in proto3's
 * JSON form, where a field with its default value (code 0, "", an empty list) is left out.
 */
function resourceSpans(traces: readonly SpanRecord[][], raw: boolean): unknown[] {
  const spans = traces.flatMap((trace) => raw ? trace : adjustOtlpSpans(trace));
  return toResourceSpans(spans).map((resourceSpan) => withoutDefaults(resourceSpan));
}

function withoutDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (value === null || typeof value !== "object") return value;
  const kept: [string, unknown][] = [];
  for (const [key, field] of Object.entries(value)) {
    // Inside an AnyValue a default is a value ({"stringValue": ""} is not {}).
    const isValue = key.endsWith("Value") || key === "values";
    if (!isValue && (field === "" || field === 0 || (Array.isArray(field) && field.length === 0))) {
      continue;
    }
    kept.push([key, withoutDefaults(field)]);
  }
  return Object.fromEntries(kept);
}
