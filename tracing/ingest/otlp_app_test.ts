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

Deno.test("POST /v1/traces stores OTLP JSON readable through the own, Jaeger v1 and v3 APIs", async (t) => {
  const service = createTestService();
  try {
    const response = await service.ingest.request(post(JSON.stringify(sampleTraceJson()), json));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {});
    service.flush();

    await t.step("own API returns the tree with timings and attributes", async () => {
      const res = await service.query.request(`/api/v1/traces/${TRACE_ID}`);
      assert.equal(res.status, 200);
      const trace = await res.json();
      assert.equal(trace.span_count, 2);
      assert.equal(trace.root_operation, "POST /orders");
      assert.equal(trace.duration_ms, 25);
      assert.equal(trace.error_count, 1);
      const [root, child] = trace.spans;
      assert.equal(root.parent_span_id, null);
      assert.equal(child.parent_span_id, root.span_id);
      assert.equal(child.kind, "client");
      assert.equal(child.duration_ms, 10);
      assert.deepEqual(child.status, { code: "error", message: "boom" });
      assert.equal(root.attributes["http.response.status_code"], 201);
      assert.equal(root.resource["host.name"], "box");
    });

    await t.step("Jaeger v1 returns Jaeger's JSON model", async () => {
      const body = await (await service.query.request(`/api/traces/${TRACE_ID}`)).json();
      assert.deepEqual(Object.keys(body), ["data", "total", "limit", "offset", "errors"]);
      assert.equal(body.errors, null);
      const [trace] = body.data;
      assert.equal(trace.traceID, TRACE_ID);
      assert.deepEqual(trace.processes.p1, {
        serviceName: "order",
        tags: [{ key: "host.name", type: "string", value: "box" }],
      });
      const child = trace.spans.find((s: { spanID: string }) => s.spanID === "eee19b7ec3c1b175");
      assert.deepEqual(child.references, [{
        refType: "CHILD_OF",
        traceID: TRACE_ID,
        spanID: "eee19b7ec3c1b174",
      }]);
      assert.equal(child.startTime, 1_700_000_000_002_000);
      assert.equal(child.duration, 10_000);
      assert.equal(child.processID, "p1");
      const tags = Object.fromEntries(
        child.tags.map((tag: { key: string; value: unknown }) => [tag.key, tag.value]),
      );
      assert.equal(tags["span.kind"], "client");
      assert.equal(tags.error, true);
      assert.equal(tags["otel.status_code"], "ERROR");
      assert.equal(tags["otel.status_description"], "boom");
      assert.equal(tags["otel.scope.name"], "distributed-tracing");
      assert.deepEqual(child.logs, [{
        timestamp: 1_700_000_000_003_000,
        fields: [{ key: "event", type: "string", value: "retry" }, {
          key: "attempt",
          type: "int64",
          value: 2,
        }],
      }]);
    });

    await t.step("v3 returns OTLP JSON under result", async () => {
      const body = await (await service.query.request(`/api/v3/traces/${TRACE_ID}`)).json();
      const [rs] = body.result.resourceSpans;
      assert.equal(rs.resource.attributes[0].value.stringValue, "order");
      const spans = rs.scopeSpans[0].spans;
      assert.equal(spans.length, 2);
      assert.equal(spans[1].parentSpanId, "eee19b7ec3c1b174");
      assert.equal(spans[1].startTimeUnixNano, "1700000000002000000");
      assert.equal(rs.scopeSpans[0].scope.name, "distributed-tracing");
    });

    await t.step("search by service, operation, tags and duration finds the trace", async () => {
      const own = await (await service.query.request(
        "/api/v1/traces/search?service=order&tags=http.request.method=POST&minDuration=20ms",
      )).json();
      assert.deepEqual(own.traces.map((s: { trace_id: string }) => s.trace_id), [TRACE_ID]);
      const none =
        await (await service.query.request("/api/v1/traces/search?service=order&maxDuration=1ms"))
          .json();
      assert.equal(none.count, 0);
      const v1 = await (await service.query.request(
        `/api/traces?service=order&operation=GET&tags=${encodeURIComponent('{"error":"true"}')}`,
      )).json();
      assert.equal(v1.data.length, 1);
      const v3 = await (await service.query.request(
        "/api/v3/traces?query.service_name=order&query.duration_min=5ms",
      )).json();
      assert.equal(v3.result.resourceSpans[0].scopeSpans[0].spans.length, 2);
    });

    await t.step("services, operations and dependencies list what was stored", async () => {
      assert.deepEqual((await (await service.query.request("/api/services")).json()).data, [
        "order",
      ]);
      const ops =
        await (await service.query.request("/api/operations?service=order&spanKind=server")).json();
      assert.deepEqual(ops.data, [{ name: "POST /orders", spanKind: "server" }]);
      const v3 = await (await service.query.request("/api/v3/operations?service=order")).json();
      assert.equal(v3.operations.length, 2);
      const names = await (await service.query.request("/api/services/order/operations")).json();
      assert.deepEqual(names.data, ["GET", "POST /orders"]);
    });

    await t.step("an unknown trace is 404 in each API's error shape", async () => {
      const missing = "0af7651916cd43dd8448eb211c80319c";
      const v1 = await service.query.request(`/api/traces/${missing}`);
      assert.equal(v1.status, 404);
      assert.deepEqual((await v1.json()).errors, [{ code: 404, msg: "trace not found" }]);
      const own = await service.query.request(`/api/v1/traces/${missing}`);
      assert.equal((await own.json()).error.code, "trace_not_found");
      const v3 = await service.query.request(`/api/v3/traces/${missing}`);
      assert.equal((await v3.json()).error.httpCode, 404);
    });
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
