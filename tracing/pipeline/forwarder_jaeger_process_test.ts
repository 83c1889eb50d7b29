import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { TraceState } from "@opentelemetry/core";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import assert from "node:assert/strict";
import { JaegerProcess } from "../../lib/testing/jaeger.ts";
import { type OtlpJsonValue, plainAttributes } from "../../lib/testing/otlp_json_values.ts";
import { startTracingProcess } from "../testing/service.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** The spans the test made, and the traces they are in. */
async function makeSpans(otlpEndpoint: string): Promise<ReadableSpan[]> {
  const made = new InMemorySpanExporter();
  const provider = (service: string, exporter: SpanExporter) =>
    new TracerProvider({
      resource: resourceFromAttributes({
        "service.name": service,
        "deployment.environment.name": "forwarder-test",
        "host.cpu.count": 2,
      }),
      spanProcessors: [
        new SimpleSpanProcessor({ exporter: made }),
        new BatchSpanProcessor({ exporter }),
      ],
    });
  const url = `${otlpEndpoint}/v1/traces`;
  // The services' default encoding, and OTLP/JSON: the forwarder passes each on as received.
  const shop = provider("shop", new ProtobufExporter({ url }));
  const worker = provider("worker", new JsonExporter({ url }));
  const shopTracer = shop.getTracer("shop-http", "1.2.3");
  const workerTracer = worker.getTracer("worker-amqp");

  const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: crypto.randomUUID().replaceAll("-", ""),
    spanId: crypto.randomUUID().replaceAll("-", "").slice(0, 16),
    traceFlags: 1,
    isRemote: true,
    traceState: new TraceState("vendor=abc,other=x-1"),
  });
  const root = shopTracer.startSpan("GET /cart/:id", {
    kind: SpanKind.SERVER,
    attributes: {
      "http.request.method": "GET",
      "http.response.status_code": 200,
      "cart.total": 12.5,
      "cart.empty": false,
      "cart.items": ["a", "b"],
      "cart.quantities": [1, 2, 3],
      "cart.flags": [true, false],
      "cart.prices": [1.5, 2.25],
    },
  }, remoteParent);
  const inRoot = trace.setSpan(context.active(), root);
  root.addEvent("cache.miss", { "cache.key": "cart:7", "cache.age_ms": 12 });
  const query = shopTracer.startSpan("SELECT carts", { kind: SpanKind.CLIENT }, inRoot);
  query.setStatus({ code: SpanStatusCode.ERROR, message: "disk full" });
  query.end();
  const check = shopTracer.startSpan("check stock", { kind: SpanKind.INTERNAL }, inRoot);
  check.setStatus({ code: SpanStatusCode.OK });
  check.end();
  const send = shopTracer.startSpan("send orders", {
    kind: SpanKind.PRODUCER,
    attributes: { "messaging.system": "rabbitmq", "messaging.destination.name": "orders" },
  }, inRoot);
  send.end();
  root.end();

  const process = workerTracer.startSpan("process orders", {
    kind: SpanKind.CONSUMER,
    links: [{ context: send.spanContext(), attributes: { "messaging.message.id": "m-1" } }],
  });
  process.recordException(new TypeError("bad payload"));
  process.setStatus({ code: SpanStatusCode.ERROR });
  process.end();

  await Promise.all([shop.forceFlush(), worker.forceFlush()]);
  // Shutting down clears the in-memory exporter: take its spans first.
  const spans = [...made.getFinishedSpans()];
  await Promise.all([shop.shutdown(), worker.shutdown()]);
  return spans;
}

function nanos([seconds, nanoseconds]: [number, number]): string {
  return String(BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds));
}

/** What the test sent of a span, in the plain shape `received` gives Jaeger's answer. */
function sent(span: ReadableSpan): Json {
  return {
    service: span.resource.attributes["service.name"],
    resource: plainAttributes(toKeyValues(span.resource.attributes)),
    scope: {
      name: span.instrumentationScope.name,
      version: span.instrumentationScope.version ?? "",
    },
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? "",
    traceState: span.spanContext().traceState?.serialize() ?? "",
    name: span.name,
    kind: span.kind + 1,
    start: nanos(span.startTime),
    end: nanos(span.endTime),
    attributes: plainAttributes(toKeyValues(span.attributes)),
    events: span.events.map((event) => ({
      name: event.name,
      time: nanos(event.time),
      attributes: plainAttributes(toKeyValues(event.attributes ?? {})),
    })),
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      attributes: plainAttributes(toKeyValues(link.attributes ?? {})),
    })),
    status: { code: span.status.code, message: span.status.message ?? "" },
  };
}

function toKeyValues(attributes: Record<string, unknown>): { key: string; value: OtlpJsonValue }[] {
  const value = (item: unknown): OtlpJsonValue =>
    Array.isArray(item)
      ? { arrayValue: { values: item.map(value) } }
      : typeof item === "string"
      ? { stringValue: item }
      : typeof item === "boolean"
      ? { boolValue: item }
      : Number.isInteger(item)
      ? { intValue: String(item) }
      : { doubleValue: Number(item) };
  return Object.entries(attributes).map(([key, item]) => ({ key, value: value(item) }));
}

/** Jaeger's OTLP/JSON (`/api/v3/traces/{id}`) spans in the shape of `sent`. */
function received(resourceSpans: Json[]): Json[] {
  return resourceSpans.flatMap((resourceSpan) => {
    const resource = plainAttributes(resourceSpan.resource?.attributes);
    return resourceSpan.scopeSpans.flatMap((scopeSpan: Json) =>
      scopeSpan.spans.map((span: Json) => ({
        service: resource["service.name"],
        resource,
        scope: { name: scopeSpan.scope?.name ?? "", version: scopeSpan.scope?.version ?? "" },
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? "",
        traceState: span.traceState ?? "",
        name: span.name,
        kind: span.kind,
        start: String(span.startTimeUnixNano),
        end: String(span.endTimeUnixNano),
        attributes: plainAttributes(span.attributes),
        events: (span.events ?? []).map((event: Json) => ({
          name: event.name,
          time: String(event.timeUnixNano),
          attributes: plainAttributes(event.attributes),
        })),
        links: (span.links ?? []).map((link: Json) => ({
          traceId: link.traceId,
          spanId: link.spanId,
          attributes: plainAttributes(link.attributes),
        })),
        status: { code: span.status?.code ?? 0, message: span.status?.message ?? "" },
      }))
    );
  });
}

Deno.test("the forwarder delivers every span to Jaeger with ids, attributes, events, links and status intact", async () => {
  const jaeger = await JaegerProcess.start();
  const tracing = await startTracingProcess({ env: { FORWARD_ENDPOINTS: jaeger.otlpEndpoint } });
  try {
    const spans = await makeSpans(tracing.otlpEndpoint);
    const traceIds = [...new Set(spans.map((span) => span.spanContext().traceId))];
    assert.equal(traceIds.length, 2);
    for (const traceId of traceIds) {
      const expected = spans.filter((span) => span.spanContext().traceId === traceId);
      await jaeger.waitForTrace(traceId, { minSpans: expected.length });
      const { status, body } = await jaeger.get(`/api/v3/traces/${traceId}?raw_traces=true`);
      assert.equal(status, 200);
      const got = new Map(
        received((body as Json).result.resourceSpans).map((span) => [span.spanId, span]),
      );
      for (const span of expected) {
        assert.deepEqual(got.get(span.spanContext().spanId), sent(span), span.name);
      }
      assert.equal(got.size, expected.length);
    }
  } finally {
    await tracing.stop();
    assert.equal(await jaeger.close(), 0);
  }
});
