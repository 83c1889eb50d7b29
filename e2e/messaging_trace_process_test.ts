import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { deadLetterName } from "../lib/amqp/topology.ts";
import { connectOrFail } from "../lib/testing/amqp.ts";
import { waitFor } from "../lib/testing/wait.ts";
import { type SinkSpan, SpanKindNumber, startOtlpSink } from "../lib/testing/otlp_sink.ts";
import { startTracingProcess } from "../tracing/testing/service.ts";
import { requestJson } from "../lib/testing/http.ts";
import { startMessaging } from "./_messaging.ts";
import { readTrace } from "./_trace_backend.ts";

function only(spans: SinkSpan[], predicate: (span: SinkSpan) => boolean, what: string): SinkSpan {
  const found = spans.filter(predicate);
  assert.equal(found.length, 1, `expected one ${what}, got ${found.length}`);
  return found[0] as SinkSpan;
}

for (const mode of ["sdk", "deno"] as const) {
  Deno.test(`POST /send makes one trace from request to processing (${mode} telemetry)`, async () => {
    await (await connectOrFail()).close();
    // The project's own trace backend, fed OTLP/protobuf as the services send it by default.
    const tracing = await startTracingProcess();
    const services = await startMessaging(tracing.otlpEndpoint, {
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      ...(mode === "deno" ? { OTEL_DENO: "true" } : {}),
    });
    try {
      const sent = await requestJson(`${services.producer.url}/send`, {
        body: { content: "hello", priority: "high" },
      });
      assert.equal(sent.status, 202);
      const traceId = String(sent.body.trace_id);
      assert.equal(sent.traceId, traceId);
      const messageId = String(sent.body.message_id);

      const spans = await readTrace(tracing, traceId, 3);
      const server = only(spans, (s) => s.kind === SpanKindNumber.SERVER, "SERVER span");
      const send = only(spans, (s) => s.kind === SpanKindNumber.PRODUCER, "PRODUCER span");
      const process = only(spans, (s) => s.kind === SpanKindNumber.CONSUMER, "CONSUMER span");
      const { queue } = services;

      assert.equal(server.service, "producer");
      assert.equal(server.name, "POST /send");
      assert.equal(send.service, "producer");
      assert.equal(send.name, `send ${queue}`);
      assert.equal(send.parentSpanId, server.spanId);
      assert.equal(process.service, "consumer");
      assert.equal(process.name, `process ${queue}`);
      assert.equal(process.parentSpanId, send.spanId);

      for (const span of [send, process]) {
        assert.equal(span.attributes["messaging.system"], "rabbitmq");
        assert.equal(span.attributes["messaging.destination.name"], queue);
        assert.equal(span.attributes["messaging.rabbitmq.destination.routing_key"], queue);
        assert.equal(span.attributes["messaging.message.id"], messageId);
        assert.equal(typeof span.attributes["messaging.message.body.size"], "number");
        assert.equal(span.attributes["server.address"], "127.0.0.1");
        assert.equal(span.attributes["server.port"], 5672);
      }
      assert.equal(send.attributes["messaging.operation.type"], "send");
      assert.equal(send.attributes["messaging.operation.name"], "send");
      assert.equal(process.attributes["messaging.operation.type"], "process");
      assert.equal(typeof process.attributes["messaging.rabbitmq.message.delivery_tag"], "number");
      assert.equal(process.statusCode, 0);

      await waitFor("the consumer's stats", async () => {
        const stats = await requestJson(`${services.consumer.url}/stats`);
        return stats.body.processed_messages === 1;
      });
    } finally {
      const codes = await services.stop();
      await tracing.stop();
      assert.deepEqual(codes, { producer: 0, consumer: 0 });
    }
  });
}

Deno.test("consumer continues any client's traceparent and survives garbage", async (t) => {
  await (await connectOrFail()).close();
  const sink = startOtlpSink();
  const services = await startMessaging(sink.endpoint);
  const model = await connectOrFail();
  try {
    const channel = await model.createConfirmChannel();
    const { queue } = services;
    const publish = async (body: string, messageId: string, headers: Record<string, unknown>) => {
      channel.sendToQueue(queue, Buffer.from(body), { messageId, headers, persistent: true });
      await channel.waitForConfirms();
    };
    const processSpan = async (messageId: string) => {
      const match = (s: SinkSpan) =>
        s.kind === SpanKindNumber.CONSUMER && s.attributes["messaging.message.id"] === messageId;
      await sink.waitFor((spans) => spans.some(match));
      return sink.spans.find(match) as SinkSpan;
    };

    await t.step("a known traceparent becomes the CONSUMER span's parent", async () => {
      const traceId = "0af7651916cd43dd8448eb211c80319c";
      await publish(JSON.stringify({ content: "from a plain amqplib client" }), "plain-1", {
        traceparent: `00-${traceId}-b7ad6b7169203331-01`,
        baggage: "tenant=acme",
      });
      const span = await processSpan("plain-1");
      assert.equal(span.traceId, traceId);
      assert.equal(span.parentSpanId, "b7ad6b7169203331");
      assert.equal(span.statusCode, 0);
    });

    await t.step("garbage traceparent and a non-JSON body are dead-lettered at once", async () => {
      await publish("this is not JSON", "garbage-1", { traceparent: "00-zz-not-a-trace" });
      const span = await processSpan("garbage-1");
      assert.equal(span.parentSpanId, "");
      assert.equal(span.statusCode, 2);
      assert.ok(span.events.some((e) => e.name === "message.dead_lettered"));
      const dead = await channel.get(deadLetterName(queue), { noAck: true });
      assert.ok(dead, "nothing in the dead-letter queue");
      assert.equal(dead.properties.messageId, "garbage-1");
      assert.match(String(dead.properties.headers?.["x-failure-reason"]), /not valid JSON/);
    });

    await t.step("the worker keeps processing afterwards", async () => {
      await publish(JSON.stringify({ content: "after" }), "after-1", {});
      const span = await processSpan("after-1");
      assert.equal(span.statusCode, 0);
      const stats = await requestJson(`${services.consumer.url}/stats`);
      assert.equal(stats.body.processed_messages, 2);
      assert.equal(stats.body.dead_lettered_messages, 1);
      assert.equal(stats.body.retried_messages, 0);
    });
    await channel.close();
  } finally {
    await model.close();
    const codes = await services.stop();
    await sink.close();
    assert.deepEqual(codes, { producer: 0, consumer: 0 });
  }
});
