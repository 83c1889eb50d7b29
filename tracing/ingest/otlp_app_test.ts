import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import assert from "node:assert/strict";
import { createTestService, sampleTraceJson } from "../testing/test_deps.ts";

const TRACE_ID = "5b8efff798038103d269b633813fc60c";
const json = { "content-type": "application/json" };
const protobuf = { "content-type": "application/x-protobuf" };

function post(body: BodyInit, headers: Record<string, string>, path = "/v1/traces") {
  return new Request(`http://localhost${path}`, { method: "POST", body, headers });
}

/** Spans made by the official SDK, serialized by the official OTLP protobuf serializer. */
async function officialProtobuf(): Promise<{ bytes: Uint8Array<ArrayBuffer>; traceId: string }> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "checkout" }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer("test-scope", "2.0.0");
  const root = tracer.startSpan("GET /cart", {
    kind: SpanKind.SERVER,
    attributes: { "http.route": "/cart" },
  });
  const { trace } = await import("@opentelemetry/api");
  const ctx = trace.setSpan((await import("@opentelemetry/api")).context.active(), root);
  const child = tracer.startSpan("SELECT carts", {
    kind: SpanKind.CLIENT,
    attributes: { "db.system.name": "sqlite", rows: 3, ratio: 0.5, ok: true },
  }, ctx);
  child.addEvent("cache miss", { key: "cart:1" });
  child.setStatus({ code: SpanStatusCode.ERROR, message: "disk full" });
  child.end();
  root.end();
  const spans = exporter.getFinishedSpans();
  const bytes = new Uint8Array(ProtobufTraceSerializer.serializeRequest(spans)!);
  await provider.shutdown();
  return { bytes, traceId: root.spanContext().traceId };
}

Deno.test("POST /v1/traces stores OTLP JSON: both spans are in the store", async () => {
  const service = createTestService();
  try {
    const response = await service.ingest.request(post(JSON.stringify(sampleTraceJson()), json));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {});
    service.flush();
    assert.equal(service.store.getTrace(TRACE_ID)?.spans.length, 2);
  } finally {
    await service.close();
  }
});

Deno.test("POST /v1/traces accepts protobuf from the official OpenTelemetry serializer", async (t) => {
  const service = createTestService();
  try {
    const { bytes, traceId } = await officialProtobuf();
    await t.step("plain", async () => {
      const response = await service.ingest.request(post(bytes, protobuf));
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "application/x-protobuf");
      // A response without partialSuccess has no fields set: it encodes to no bytes at all.
      assert.equal((await response.arrayBuffer()).byteLength, 0);
    });
    await t.step("gzip", async () => {
      const gzipped = await new Response(
        new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")),
      ).bytes();
      const response = await service.ingest.request(
        post(gzipped, { ...protobuf, "content-encoding": "gzip" }),
      );
      assert.equal(response.status, 200);
      await response.body?.cancel();
    });
    service.flush();
    const trace = await (await service.query.request(`/api/v1/traces/${traceId}`)).json();
    assert.equal(trace.span_count, 2);
    const root = trace.spans.find((s: { name: string }) => s.name === "GET /cart");
    const child = trace.spans.find((s: { name: string }) => s.name === "SELECT carts");
    assert.equal(child.parent_span_id, root.span_id);
    assert.equal(root.service, "checkout");
    assert.equal(root.kind, "server");
    assert.deepEqual(child.attributes, {
      "db.system.name": "sqlite",
      rows: 3,
      ratio: 0.5,
      ok: true,
    });
    assert.deepEqual(child.events[0].attributes, { key: "cart:1" });
    assert.deepEqual(child.status, { code: "error", message: "disk full" });
    assert.deepEqual(child.scope, { name: "test-scope", version: "2.0.0" });
  } finally {
    await service.close();
  }
});

Deno.test("POST /v1/traces answers bad requests as the OTLP/HTTP spec says", async (t) => {
  const service = createTestService({ maxBodyBytes: 2048, token: undefined });
  try {
    await t.step("malformed JSON is 400 with a JSON Status", async () => {
      const response = await service.ingest.request(post("{nope", json));
      assert.equal(response.status, 400);
      const body = await response.json();
      assert.equal(body.code, 3);
      assert.match(body.message, /Malformed JSON body/);
    });
    await t.step("a wrong structure is 400", async () => {
      const response = await service.ingest.request(post('{"resourceSpans":7}', json));
      assert.equal(response.status, 400);
      await response.body?.cancel();
    });
    await t.step("garbage protobuf is 400 with a protobuf Status", async () => {
      const response = await service.ingest.request(
        post(new Uint8Array([0x0a, 0xff, 0xff]), protobuf),
      );
      assert.equal(response.status, 400);
      assert.equal(response.headers.get("content-type"), "application/x-protobuf");
      const bytes = new Uint8Array(await response.arrayBuffer());
      assert.deepEqual([...bytes.slice(0, 2)], [0x08, 3]);
    });
    await t.step("a wrong content type is 415", async () => {
      const response = await service.ingest.request(post("x", { "content-type": "text/plain" }));
      assert.equal(response.status, 415);
      await response.body?.cancel();
    });
    await t.step("an unknown content encoding is 415", async () => {
      const response = await service.ingest.request(
        post("{}", { ...json, "content-encoding": "br" }),
      );
      assert.equal(response.status, 415);
      await response.body?.cancel();
    });
    await t.step("an oversize body is 413, also after gunzip", async () => {
      const big = JSON.stringify({ resourceSpans: [], pad: "x".repeat(5000) });
      const response = await service.ingest.request(post(big, json));
      assert.equal(response.status, 413);
      await response.body?.cancel();
      const zipped = await new Response(
        new Blob([big]).stream().pipeThrough(new CompressionStream("gzip")),
      ).bytes();
      assert.ok(zipped.length < 2048);
      const bomb = await service.ingest.request(
        post(zipped, { ...json, "content-encoding": "gzip" }),
      );
      assert.equal(bomb.status, 413);
      await bomb.body?.cancel();
    });
    await t.step("invalid spans are rejected with partial success", async () => {
      const request = sampleTraceJson() as {
        resourceSpans: { scopeSpans: { spans: unknown[] }[] }[];
      };
      request.resourceSpans[0]!.scopeSpans[0]!.spans.push({
        traceId: "xyz",
        spanId: "1",
        name: "bad",
      });
      const response = await service.ingest.request(post(JSON.stringify(request), json));
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.equal(body.partialSuccess.rejectedSpans, "1");
      assert.match(body.partialSuccess.errorMessage, /Invalid/);
    });
  } finally {
    await service.close();
  }
});

Deno.test("POST /v1/traces answers 401 without the ingest token and 503 when the queue is full", async () => {
  const guarded = createTestService({ token: "s3cret" });
  const tiny = createTestService({ queueMax: 1 });
  try {
    const denied = await guarded.ingest.request(post(JSON.stringify(sampleTraceJson()), json));
    assert.equal(denied.status, 401);
    await denied.body?.cancel();
    const allowed = await guarded.ingest.request(
      post(JSON.stringify(sampleTraceJson()), { ...json, authorization: "Bearer s3cret" }),
    );
    assert.equal(allowed.status, 200);
    await allowed.body?.cancel();
    const busy = await tiny.ingest.request(post(JSON.stringify(sampleTraceJson()), json));
    assert.equal(busy.status, 503);
    assert.equal(busy.headers.get("retry-after"), "1");
    await busy.body?.cancel();
  } finally {
    await guarded.close();
    await tiny.close();
  }
});

Deno.test("POST /v1/logs joins log records to their trace and /v1/metrics is accepted", async () => {
  const service = createTestService();
  try {
    await (await service.ingest.request(post(JSON.stringify(sampleTraceJson()), json))).body
      ?.cancel();
    const logs = {
      resourceLogs: [{
        resource: { attributes: [{ key: "service.name", value: { stringValue: "order" } }] },
        scopeLogs: [{
          logRecords: [{
            timeUnixNano: "1700000000004000000",
            severityText: "WARN",
            body: { stringValue: "slow user lookup" },
            traceId: TRACE_ID,
            spanId: "eee19b7ec3c1b175",
          }],
        }],
      }],
    };
    const logResponse = await service.ingest.request(post(JSON.stringify(logs), json, "/v1/logs"));
    assert.equal(logResponse.status, 200);
    await logResponse.body?.cancel();
    const metrics = {
      resourceMetrics: [{
        scopeMetrics: [{ metrics: [{ name: "m", sum: { dataPoints: [{ asInt: "1" }] } }] }],
      }],
    };
    const metricResponse = await service.ingest.request(
      post(JSON.stringify(metrics), json, "/v1/metrics"),
    );
    assert.equal(metricResponse.status, 200);
    await metricResponse.body?.cancel();
    service.flush();
    const own = await (await service.query.request(`/api/v1/traces/${TRACE_ID}`)).json();
    assert.equal(own.logs[0].body, "slow user lookup");
    const v1 = await (await service.query.request(`/api/traces/${TRACE_ID}`)).json();
    const child = v1.data[0].spans.find((s: { spanID: string }) => s.spanID === "eee19b7ec3c1b175");
    assert.ok(
      child.logs.some((log: { fields: { key: string; value: unknown }[] }) =>
        log.fields.some((f) => f.key === "message" && f.value === "slow user lookup")
      ),
    );
    const text = await (await service.query.request("/metrics")).text();
    assert.match(text, /tracing_items_received_total\{signal="metrics"\} 1/);
    assert.match(text, /tracing_spans_stored_total 2/);
  } finally {
    await service.close();
  }
});
