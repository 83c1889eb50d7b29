import assert from "node:assert/strict";
import { createLogger } from "../log.ts";
import { createRegistry, registerTelemetryMetrics } from "./metrics.ts";
import { createServiceApp } from "./service_app.ts";
import type { SpanPipelineStats } from "../telemetry/stats.ts";
import { createTestTelemetry } from "../testing/telemetry.ts";

function setup(stats?: () => SpanPipelineStats | undefined) {
  const { telemetry } = createTestTelemetry();
  const logger = createLogger({ service: "test", write: () => {} });
  const { app } = createServiceApp({
    service: "test",
    logger,
    telemetry: stats === undefined ? telemetry : { ...telemetry, stats },
    maxBodyBytes: 1024,
  });
  app.get("/things/:id", (c) => c.json({ id: c.req.param("id") }));
  app.post("/things", () => {
    throw new Error("nope");
  });
  return app;
}

async function scrape(app: ReturnType<typeof setup>): Promise<string> {
  const response = await app.request("/metrics");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  assert.equal(response.headers.get("cache-control"), "no-store");
  return await response.text();
}

async function call(app: ReturnType<typeof setup>, path: string, init?: RequestInit) {
  const response = await app.request(path, init);
  await response.body?.cancel();
}

Deno.test("GET /metrics counts requests by method, route template and status", async () => {
  const app = setup();
  await call(app, "/things/1");
  await call(app, "/things/2");
  await call(app, "/things", { method: "POST" });
  await call(app, "/missing");
  const text = await scrape(app);
  assert.match(text, /^# TYPE http_server_requests_total counter$/m);
  assert.match(
    text,
    /^http_server_requests_total\{method="GET",route="\/things\/:id",status_code="200"\} 2$/m,
  );
  assert.match(
    text,
    /^http_server_requests_total\{method="POST",route="\/things",status_code="500"\} 1$/m,
  );
  assert.match(
    text,
    /^http_server_requests_total\{method="GET",route="unmatched",status_code="404"\} 1$/m,
  );
  assert.match(text, /^# TYPE http_server_request_duration_seconds histogram$/m);
  assert.match(
    text,
    /^http_server_request_duration_seconds_count\{method="GET",route="\/things\/:id",status_code="200"\} 2$/m,
  );
  assert.match(text, /^http_server_request_duration_seconds_bucket\{le="\+Inf",.*\} 2$/m);
});

Deno.test("GET /metrics exposes the span pipeline counters", async () => {
  let stats: SpanPipelineStats = {
    exported: 10,
    exportFailed: 2,
    dropped: 3,
    queued: 4,
    queueCapacity: 8,
    shed: 6,
    shedBridged: 1,
    exportProbes: 2,
  };
  const app = setup(() => stats);
  const first = await scrape(app);
  assert.match(first, /^otel_sdk_spans_total\{outcome="exported"\} 10$/m);
  assert.match(first, /^otel_sdk_spans_total\{outcome="export_failed"\} 2$/m);
  assert.match(first, /^otel_sdk_spans_total\{outcome="dropped"\} 3$/m);
  assert.match(first, /^otel_sdk_span_queue_size 4$/m);
  assert.match(first, /^otel_sdk_span_queue_capacity 8$/m);
  assert.match(first, /^otel_sdk_spans_shed_total 6$/m);
  assert.match(first, /^otel_sdk_spans_shed_bridged_total 1$/m);

  stats = { ...stats, exported: 15, dropped: 4, shed: 9, shedBridged: 3 };
  const second = await scrape(app);
  assert.match(second, /^otel_sdk_spans_total\{outcome="exported"\} 15$/m);
  assert.match(second, /^otel_sdk_spans_total\{outcome="dropped"\} 4$/m);
  assert.match(second, /^otel_sdk_spans_total\{outcome="export_failed"\} 2$/m);
  assert.match(second, /^otel_sdk_spans_shed_total 9$/m);
  assert.match(second, /^otel_sdk_spans_shed_bridged_total 3$/m);
});

Deno.test("registerTelemetryMetrics() reports zeros when the pipeline has no counters", async () => {
  const registry = createRegistry();
  registerTelemetryMetrics(registry, createTestTelemetry().telemetry);
  const text = await registry.metrics();
  assert.match(text, /^otel_sdk_span_queue_size 0$/m);
  assert.doesNotMatch(text, /outcome="exported"/);
});
