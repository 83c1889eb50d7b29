import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import assert from "node:assert/strict";
import type { JaegerTrace } from "./query/jaeger_model.ts";
import { startTracingProcess } from "./testing/service.ts";
import { MetricFamilySchema, TraceSummariesResponseSchema } from "./testing/jaeger_ui_contract.ts";

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  const body = await response.json();
  assert.equal(response.status, 200, `${url}: ${JSON.stringify(body)}`);
  return body;
}

Deno.test("the tracing process answers Jaeger UI's Search, Monitor and Upload calls for spans from the OTLP JSON exporter", async () => {
  const tracing = await startTracingProcess();
  const uploaded = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "shop" }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${tracing.otlpEndpoint}/v1/traces` }),
      }),
      new SimpleSpanProcessor({ exporter: uploaded }),
    ],
  });
  try {
    const searchFrom = new Date(Date.now() - 60_000).toISOString();
    const tracer = provider.getTracer("e2e");
    const traceIds: string[] = [];
    for (const cart of ["a", "b", "c"]) {
      const root = tracer.startSpan("GET /cart", {
        kind: SpanKind.SERVER,
        attributes: { "cart.id": cart },
      });
      const child = tracer.startSpan(
        "SELECT carts",
        { kind: SpanKind.CLIENT },
        trace.setSpan(context.active(), root),
      );
      if (cart === "b") child.setStatus({ code: SpanStatusCode.ERROR, message: "disk full" });
      child.end();
      root.end();
      traceIds.push(root.spanContext().traceId);
    }
    await provider.forceFlush();
    for (const traceId of traceIds) await tracing.waitForTrace(traceId, { minSpans: 2 });
    const base = `${tracing.queryUrl}/api`;

    // Search, as Jaeger UI 2.19+ asks for it.
    const search = new URLSearchParams({
      "query.serviceName": "shop",
      "query.startTimeMin": searchFrom,
      "query.startTimeMax": new Date(Date.now() + 60_000).toISOString(),
      "query.searchDepth": "20",
    });
    const { summaries } = TraceSummariesResponseSchema.parse(
      await getJson(`${base}/v3/trace-summaries?${search}`),
    );
    assert.deepEqual(summaries.map((s) => s.traceId).sort(), [...traceIds].sort());
    const failed = summaries.find((s) => s.traceId === traceIds[1])!;
    assert.equal(failed.rootServiceName, "shop");
    assert.equal(failed.rootOperationName, "GET /cart");
    assert.equal(failed.spanCount, 2);
    assert.deepEqual(failed.services, [{ name: "shop", spanCount: 2, errorSpanCount: 1 }]);
    search.set("query.attributes", JSON.stringify({ "cart.id": "c" }));
    const narrowed = TraceSummariesResponseSchema.parse(
      await getJson(`${base}/v3/trace-summaries?${search}`),
    );
    assert.deepEqual(narrowed.summaries.map((s) => s.traceId), [traceIds[2]]);

    // Monitor: SPM over both span kinds agrees with the own metrics API.
    const own = await getJson(`${base}/v1/metrics?service=shop&window=10m`) as Record<
      string,
      number
    >;
    const spm = async (type: string, extra = "") => {
      const family = MetricFamilySchema.parse(
        await getJson(
          `${base}/metrics/${type}?service=shop&endTs=${Date.now()}&spanKind=server&spanKind=client${extra}`,
        ),
      );
      return family.metrics[0]!.metricPoints.at(-1)!.gaugeValue.doubleValue;
    };
    assert.equal(own.count, 6);
    assert.equal(await spm("calls"), own.rate_per_second);
    assert.equal(await spm("errors"), own.error_rate);
    assert.equal(await spm("latencies", "&quantile=0.95"), own.p95_ms);

    // Upload: the same spans as an OTLP JSON file come back as the stored traces (as stored:
    // jaeger-query's transform does not run its adjusters either).
    const file = new TextDecoder().decode(
      JsonTraceSerializer.serializeRequest(uploaded.getFinishedSpans())!,
    );
    const response = await fetch(`${base}/transform`, { method: "POST", body: file });
    const transformed = await response.json() as { data: JaegerTrace[] };
    assert.equal(response.status, 200, JSON.stringify(transformed));
    // Spans that start in the same microsecond may come in either order.
    const bySpanId = (t: JaegerTrace | undefined) =>
      t && { ...t, spans: t.spans.toSorted((a, b) => a.spanID < b.spanID ? -1 : 1) };
    for (const traceId of traceIds) {
      const stored = await getJson(`${base}/traces/${traceId}?raw=true`) as {
        data: JaegerTrace[];
      };
      assert.deepEqual(
        bySpanId(transformed.data.find((t) => t.traceID === traceId)),
        bySpanId(stored.data[0]),
      );
    }
  } finally {
    await provider.shutdown();
    await tracing.stop();
  }
});
