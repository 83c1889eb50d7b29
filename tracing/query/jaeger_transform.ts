/**
 * `POST /api/transform`: OTLP JSON traces in, Jaeger's trace model out, in jaeger-query's
 * envelope. Jaeger UI's Upload tab sends an OTLP file here (as text, whatever its content-type)
 * and shows the traces it gets back; nothing is stored. A file with any invalid span is refused
 * whole, so what the user sees is never silently a part of the file.
 */
import { Hono } from "hono";
import { HttpError } from "../../lib/http/errors.ts";
import { normalizeTraces, PayloadError } from "../ingest/otlp_normalize.ts";
import type { SpanRecord } from "../span_model.ts";
import { jaegerEnvelope, jaegerErrorHandler } from "./jaeger_envelope.ts";
import { toJaegerTrace } from "./jaeger_model.ts";

/** Routes of the transform endpoint. */
export function jaegerTransformRoutes(): Hono {
  const app = new Hono();
  app.onError(jaegerErrorHandler);
  app.post("/api/transform", async (c) => {
    const text = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw invalid(`Invalid OTLP JSON: ${(error as Error).message}`);
    }
    let spans: SpanRecord[];
    try {
      const result = normalizeTraces(body, "hex");
      if (result.rejected > 0) {
        throw invalid(
          `Invalid OTLP JSON: ${result.rejected} span(s) rejected: ${result.firstError}`,
        );
      }
      spans = result.items;
    } catch (error) {
      if (error instanceof PayloadError) throw invalid(`Invalid OTLP JSON: ${error.message}`);
      throw error;
    }
    const traces = new Map<string, SpanRecord[]>();
    for (const span of spans) {
      const trace = traces.get(span.traceId);
      if (trace === undefined) traces.set(span.traceId, [span]);
      else trace.push(span);
    }
    const data = [...traces.values()].map((trace) =>
      toJaegerTrace({ spans: trace.sort(byStart), logs: [] })
    );
    return jaegerEnvelope(c, data);
  });
  return app;
}

function byStart(a: SpanRecord, b: SpanRecord): number {
  const diff = BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

function invalid(message: string): HttpError {
  return new HttpError(400, "invalid_otlp", message);
}
