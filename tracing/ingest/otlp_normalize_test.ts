import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import assert from "node:assert/strict";
import { normalizeTraces } from "./otlp_normalize.ts";
import { decodeRequest } from "./otlp_proto.ts";

Deno.test("normalizeTraces() reads decoded protobuf exactly as the same spans in OTLP JSON", async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "checkout", "process.pid": 42 }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer("scope", "1.0.0");
  const linked = tracer.startSpan("linked");
  linked.end();
  const root = tracer.startSpan("GET /cart", {
    kind: SpanKind.SERVER,
    attributes: { "http.route": "/cart", big: 2 ** 40, negative: -7 },
    links: [{ context: linked.spanContext(), attributes: { why: "retry" } }],
  });
  const child = tracer.startSpan("SELECT carts", {
    kind: SpanKind.CLIENT,
    attributes: { rows: 3, ratio: 0.5, ok: false, names: ["a", "b"], counts: [1, 2] },
  }, trace.setSpan(context.active(), root));
  child.addEvent("cache miss", { key: "cart:1" });
  child.setStatus({ code: SpanStatusCode.ERROR, message: "disk full" });
  child.end();
  root.end();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();

  const fromJson = normalizeTraces(
    JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!)),
    "hex",
  );
  const fromProtobuf = normalizeTraces(
    decodeRequest("traces", ProtobufTraceSerializer.serializeRequest(spans)!),
    "bytes",
  );
  assert.equal(fromProtobuf.rejected, 0);
  assert.equal(fromProtobuf.items.length, 3);
  assert.deepEqual(fromProtobuf, fromJson);
  const stored = fromProtobuf.items.find((span) => span.name === "SELECT carts")!;
  assert.equal(stored.traceId, root.spanContext().traceId);
  assert.equal(stored.parentSpanId, root.spanContext().spanId);
  assert.match(stored.startTimeUnixNano, /^[1-9]\d{18}$/);
});

Deno.test("normalizeTraces() rejects protobuf ids of the wrong length or all zero", () => {
  const span = (traceId: Uint8Array, parentSpanId = new Uint8Array(0)) => ({
    traceId,
    spanId: new Uint8Array(8).fill(1),
    parentSpanId,
    startTimeUnixNano: { low: 1000, high: 0 },
    endTimeUnixNano: { low: 2000, high: 0 },
  });
  const result = normalizeTraces({
    resourceSpans: [{
      scopeSpans: [{
        spans: [
          span(new Uint8Array(16).fill(7)),
          span(new Uint8Array(16).fill(7), new Uint8Array(8)),
          span(new Uint8Array(15).fill(7)),
          span(new Uint8Array(16)),
        ],
      }],
    }],
  }, "bytes");
  assert.deepEqual(result.items.map((s) => s.parentSpanId), ["", ""]);
  assert.equal(result.items[0]!.startTimeUnixNano, "1000");
  assert.equal(result.rejected, 2);
  assert.equal(
    result.firstError,
    `Invalid traceId "${"07".repeat(15)}": expected 16 bytes (32 hex digits), not all 0`,
  );
});
