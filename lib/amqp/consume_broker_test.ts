import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { PermanentMessageError } from "./consume.ts";
import { deadLetterName } from "./topology.ts";
import { connectOrFail, uniqueQueueName } from "../testing/amqp.ts";
import { waitFor } from "../testing/wait.ts";
import { startPair } from "../testing/amqp_pair.ts";

const encoder = new TextEncoder();

function spanNamed(spans: ReadableSpan[], name: string): ReadableSpan {
  const span = spans.find((candidate) => candidate.name === name);
  assert.ok(span, `no span "${name}" among ${spans.map((s) => s.name).join(", ")}`);
  return span;
}

Deno.test("AmqpConsumer continues the publisher's trace inside the CONSUMER span", async () => {
  const queue = uniqueQueueName("trace");
  const seen: { spanId?: string; baggage?: string; body?: string } = {};
  const pair = await startPair(queue, {
    handler: (message) => {
      seen.spanId = trace.getActiveSpan()?.spanContext().spanId;
      seen.baggage = propagation.getActiveBaggage()?.getEntry("tenant")?.value;
      seen.body = new TextDecoder().decode(message.body);
      return Promise.resolve();
    },
  });
  try {
    const parent = pair.telemetry.tracer.startSpan("request");
    const baggage = propagation.createBaggage({ tenant: { value: "acme" } });
    const active = propagation.setBaggage(trace.setSpan(context.active(), parent), baggage);
    const published = await context.with(
      active,
      () =>
        pair.publisher.publish({ body: encoder.encode("hello"), messageId: "m-1", priority: 5 }),
    );
    parent.end();
    await waitFor("the message to be processed", () => pair.settled.length === 1);

    const spans = pair.exporter.getFinishedSpans();
    const send = spanNamed(spans, `send ${queue}`);
    const process = spanNamed(spans, `process ${queue}`);
    assert.equal(send.kind, SpanKind.PRODUCER);
    assert.equal(process.kind, SpanKind.CONSUMER);
    assert.equal(send.parentSpanContext?.spanId, parent.spanContext().spanId);
    assert.equal(process.spanContext().traceId, parent.spanContext().traceId);
    assert.equal(process.parentSpanContext?.spanId, send.spanContext().spanId);
    assert.equal(published.traceId, parent.spanContext().traceId);
    assert.equal(seen.spanId, process.spanContext().spanId);
    assert.equal(seen.baggage, "acme");
    assert.equal(seen.body, "hello");
    assert.deepEqual(pick(send.attributes), {
      "messaging.system": "rabbitmq",
      "messaging.operation.type": "send",
      "messaging.operation.name": "send",
      "messaging.destination.name": queue,
      "messaging.rabbitmq.destination.routing_key": queue,
      "messaging.message.id": "m-1",
      "messaging.message.body.size": 5,
    });
    assert.deepEqual(pick(process.attributes), {
      "messaging.system": "rabbitmq",
      "messaging.operation.type": "process",
      "messaging.operation.name": "process",
      "messaging.destination.name": queue,
      "messaging.rabbitmq.destination.routing_key": queue,
      "messaging.message.id": "m-1",
      "messaging.message.body.size": 5,
    });
    assert.equal(typeof process.attributes["messaging.rabbitmq.message.delivery_tag"], "number");
    assert.equal(process.status.code, SpanStatusCode.UNSET);
    assert.equal(pair.settled[0]?.outcome, "processed");
    assert.equal(pair.settled[0]?.message.priority, 5);
  } finally {
    await pair.close();
  }
});

Deno.test("AmqpConsumer links instead of parenting when traceContext is link", async () => {
  const queue = uniqueQueueName("link");
  const pair = await startPair(queue, { traceContext: "link" });
  try {
    await pair.publisher.publish({ body: encoder.encode("{}") });
    await waitFor("the message to be processed", () => pair.settled.length === 1);
    const spans = pair.exporter.getFinishedSpans();
    const send = spanNamed(spans, `send ${queue}`);
    const process = spanNamed(spans, `process ${queue}`);
    assert.equal(process.parentSpanContext, undefined);
    assert.notEqual(process.spanContext().traceId, send.spanContext().traceId);
    assert.equal(process.links.length, 1);
    assert.equal(process.links[0]?.context.spanId, send.spanContext().spanId);
  } finally {
    await pair.close();
  }
});

Deno.test("AmqpConsumer continues a traceparent sent by a plain amqplib publisher", async (t) => {
  const queue = uniqueQueueName("foreign");
  const pair = await startPair(queue);
  const model = await connectOrFail();
  try {
    const channel = await model.createConfirmChannel();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const send = async (messageId: string, headers: Record<string, unknown>) => {
      channel.sendToQueue(queue, Buffer.from("{}"), { messageId, headers });
      await channel.waitForConfirms();
      await waitFor(
        `message ${messageId}`,
        () => pair.settled.some((s) => s.message.messageId === messageId),
      );
      return pair.exporter.getFinishedSpans().find((span) =>
        span.attributes["messaging.message.id"] === messageId
      );
    };

    await t.step("as a string header", async () => {
      const span = await send("s", { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
      assert.equal(span?.spanContext().traceId, traceId);
      assert.equal(span?.parentSpanContext?.spanId, "00f067aa0ba902b7");
    });
    await t.step("as a byte-array header", async () => {
      const value = Buffer.from(`00-${traceId}-00f067aa0ba902b8-01`);
      const span = await send("b", { traceparent: value });
      assert.equal(span?.spanContext().traceId, traceId);
      assert.equal(span?.parentSpanContext?.spanId, "00f067aa0ba902b8");
    });
    await t.step("garbage starts a new trace and the worker keeps going", async () => {
      for (const garbage of ["nonsense", `00-${"0".repeat(32)}-00f067aa0ba902b7-01`, "", 42]) {
        const id = `g-${String(garbage)}`;
        const span = await send(id, { traceparent: garbage, tracestate: "=,=" });
        assert.notEqual(span?.spanContext().traceId, traceId);
        assert.equal(span?.parentSpanContext, undefined);
      }
      assert.ok(pair.consumer?.consuming);
    });
    await channel.close();
  } finally {
    await model.close();
    await pair.close();
  }
});

Deno.test("AmqpConsumer retries a failing message once, then dead-letters it", async () => {
  const queue = uniqueQueueName("retry");
  const pair = await startPair(queue, {
    maxRetries: 1,
    handler: () => Promise.reject(new Error("boom")),
  });
  const model = await connectOrFail();
  try {
    await pair.publisher.publish({ body: encoder.encode("{}"), messageId: "r-1", priority: 3 });
    await waitFor("retry and dead-letter", () => pair.settled.length === 2);
    // By attempt, not by arrival: the first attempt is settled once its retry copy is confirmed,
    // and the copy's own (failing) attempt may be settled before that confirm comes back.
    const attempts = pair.settled.toSorted((a, b) => a.message.retryCount - b.message.retryCount);
    assert.deepEqual(attempts.map((s) => [s.message.retryCount, s.outcome]), [
      [0, "retried"],
      [1, "dead_lettered"],
    ]);

    const channel = await model.createChannel();
    const dead = await channel.get(deadLetterName(queue), { noAck: true });
    assert.ok(dead, "the dead-letter queue is empty");
    assert.equal(dead.properties.messageId, "r-1");
    assert.equal(dead.properties.priority, 3);
    assert.equal(dead.properties.headers?.["x-retry-count"], 1);
    assert.equal(dead.properties.headers?.["x-failure-reason"], "Error: boom");
    assert.equal(dead.properties.headers?.["x-original-queue"], queue);
    assert.equal(await channel.get(queue), false);
    await channel.close();

    const processes = pair.exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CONSUMER);
    assert.equal(processes.length, 2);
    const [first, second] = processes;
    assert.equal(first?.status.code, SpanStatusCode.ERROR);
    assert.ok(first?.events.some((e) => e.name === "exception"));
    assert.deepEqual(first?.events.find((e) => e.name === "message.retry_scheduled")?.attributes, {
      "messaging.rabbitmq.retry_count": 1,
      "messaging.rabbitmq.failure_reason": "Error: boom",
    });
    assert.equal(
      second?.events.find((e) => e.name === "message.retry")?.attributes?.[
        "messaging.rabbitmq.retry_count"
      ],
      1,
    );
    assert.ok(second?.events.some((e) => e.name === "message.dead_lettered"));
    // The retry copy is published from inside the first attempt, so the trace goes on.
    assert.equal(second?.spanContext().traceId, first?.spanContext().traceId);
  } finally {
    await model.close();
    await pair.close();
  }
});

Deno.test("AmqpConsumer dead-letters a PermanentMessageError without retrying", async () => {
  const queue = uniqueQueueName("permanent");
  const pair = await startPair(queue, {
    handler: () => Promise.reject(new PermanentMessageError("Body is not JSON")),
  });
  try {
    await pair.publisher.publish({ body: encoder.encode("not json") });
    await waitFor("dead-letter", () => pair.settled.length === 1);
    assert.equal(pair.settled[0]?.outcome, "dead_lettered");
  } finally {
    await pair.close();
  }
});

Deno.test("AmqpConsumer takes a high-priority message before a backlog of low ones", async () => {
  const queue = uniqueQueueName("priority");
  const backlog = await startPair(queue, { consume: false });
  const order: string[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      await backlog.publisher.publish({
        body: encoder.encode("{}"),
        messageId: `low-${i}`,
        priority: 1,
      });
    }
    await backlog.publisher.publish({ body: encoder.encode("{}"), messageId: "high", priority: 9 });
  } finally {
    await backlog.connection.close();
    await backlog.telemetry.shutdown();
  }
  const pair = await startPair(queue, {
    prefetch: 1,
    handler: (message) => {
      order.push(message.messageId ?? "");
      return Promise.resolve();
    },
  });
  try {
    await waitFor("all six messages", () => order.length === 6);
    assert.equal(order[0], "high");
  } finally {
    await pair.close();
  }
});

function pick(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(attributes).filter(([key]) =>
      key.startsWith("messaging.") && key !== "messaging.rabbitmq.message.delivery_tag" &&
      key !== "messaging.rabbitmq.message.retry_count" && key !== "messaging.rabbitmq.outcome"
    ),
  );
}

Deno.test("AmqpConsumer marks a redelivered message with a span event", async () => {
  const queue = uniqueQueueName("redelivered");
  const backlog = await startPair(queue, { consume: false });
  const model = await connectOrFail();
  try {
    await backlog.publisher.publish({ body: encoder.encode("{}"), messageId: "again" });
    const channel = await model.createChannel();
    const first = await channel.get(queue);
    assert.ok(first, "the message did not arrive");
    channel.nack(first, false, true);
    await channel.close();
  } finally {
    await model.close();
    await backlog.connection.close();
    await backlog.telemetry.shutdown();
  }
  const pair = await startPair(queue);
  try {
    await waitFor("the redelivery", () => pair.settled.length === 1);
    assert.equal(pair.settled[0]?.message.redelivered, true);
    const process = spanNamed(pair.exporter.getFinishedSpans(), `process ${queue}`);
    const event = process.events.find((e) => e.name === "message.redelivered");
    assert.deepEqual(event?.attributes, {
      "messaging.rabbitmq.retry_count": 0,
      "messaging.rabbitmq.failure_reason": "not acknowledged by an earlier delivery",
    });
  } finally {
    await pair.close();
  }
});
