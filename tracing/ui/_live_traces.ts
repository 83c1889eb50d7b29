/**
 * Folder-private: real traces for the browser test. Starts user, order, producer and consumer as
 * processes exporting spans and logs to a running tracing service, makes one order → user trace,
 * one order for an unknown user, one producer → RabbitMQ → consumer trace and one message that
 * fails twice (a second producer and consumer, on their own queue, failing every attempt), posts
 * the hostile trace as OTLP JSON, waits until the tracing service holds them all, and stops the
 * services again (which flushes their last spans and log records).
 */
import assert from "node:assert/strict";
import { connectOrFail, deleteQueues, uniqueQueueName } from "../../lib/testing/amqp.ts";
import { requestJson } from "../../lib/testing/http.ts";
import { ServiceGroup } from "../../lib/testing/service_process.ts";
import type { TracingProcess } from "../testing/service.ts";
import { hostileLogsJson, hostileTraceJson, randomHex } from "./_fixture.ts";

/** The ids of the traces made, and the queue the message went through. */
export interface LiveTraces {
  orderTraceId: string;
  /** An order refused for an unknown user: order's warning and both request lines. */
  unknownUserTraceId: string;
  messageTraceId: string;
  /** A message retried once, then dead-lettered. */
  failedMessageTraceId: string;
  hostileTraceId: string;
  queue: string;
}

/** Makes the three traces in `tracing`; every process it starts is stopped before it returns. */
export async function makeLiveTraces(tracing: TracingProcess): Promise<LiveTraces> {
  await (await connectOrFail()).close();
  const dataDir = await Deno.makeTempDir({ prefix: "ui-browser-" });
  const queue = uniqueQueueName("ui");
  const failingQueue = uniqueQueueName("ui-failing");
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: tracing.otlpEndpoint,
    OTEL_BSP_SCHEDULE_DELAY: "200",
    OTEL_BLRP_SCHEDULE_DELAY: "200",
    QUEUE_NAME: queue,
    WORK_HIGH_MS: "0",
    WORK_NORMAL_MS: "0",
    WORK_LOW_MS: "0",
  };
  const group = new ServiceGroup({ dataDir, env });
  const start = group.start.bind(group);
  try {
    const failing = { QUEUE_NAME: failingQueue, FAILURE_RATE: "1", MAX_RETRIES: "1" };
    const [user, producer, , failingProducer] = await Promise.all([
      start("user"),
      start("producer"),
      start("consumer"),
      start("producer", failing),
      start("consumer", failing),
    ]);
    const order = await start("order", { USER_SERVICE_URL: user!.url });

    // Before the good order, so that order is the newest POST /orders trace.
    const refused = await requestJson(`${order.url}/orders`, {
      body: { username: "nobody", item: "ghost", quantity: 1, unit_price: 1 },
    });
    assert.equal(refused.status, 422);
    const unknownUserTraceId = refused.traceId ?? "";

    const created = await requestJson(`${user!.url}/users`, {
      body: {
        username: "ada",
        email: "ada@example.com",
        full_name: "Ada Lovelace",
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ordered = await requestJson(`${order.url}/orders`, {
      body: { username: "ada", item: "analytical engine", quantity: 2, unit_price: 12.5 },
    });
    assert.equal(ordered.status, 201);
    const orderTraceId = ordered.traceId ?? "";

    const sent = await requestJson(`${producer!.url}/send`, {
      body: { content: "hello", priority: "high" },
    });
    assert.equal(sent.status, 202);
    const messageTraceId = sent.traceId ?? "";

    const doomed = await requestJson(`${failingProducer!.url}/send`, {
      body: { content: "doomed", priority: "high" },
    });
    assert.equal(doomed.status, 202);
    const failedMessageTraceId = doomed.traceId ?? "";

    const hostileTraceId = randomHex(32);
    const traces = await requestJson(`${tracing.otlpEndpoint}/v1/traces`, {
      body: hostileTraceJson(hostileTraceId),
    });
    assert.equal(traces.status, 200);
    const logs = await requestJson(`${tracing.otlpEndpoint}/v1/logs`, {
      body: hostileLogsJson(hostileTraceId),
    });
    assert.equal(logs.status, 200);

    await tracing.waitForTrace(orderTraceId, { minSpans: 5, timeoutMs: 20_000 });
    await tracing.waitForTrace(messageTraceId, { minSpans: 3, timeoutMs: 20_000 });
    await tracing.waitForTrace(hostileTraceId, { minSpans: 2, timeoutMs: 20_000 });
    await tracing.waitForTrace(unknownUserTraceId, { minSpans: 4, timeoutMs: 20_000 });
    // POST /send, send, process (fails), send (retry), process (fails), send (dead letter).
    await tracing.waitForTrace(failedMessageTraceId, { minSpans: 6, timeoutMs: 20_000 });
    return {
      orderTraceId,
      unknownUserTraceId,
      messageTraceId,
      failedMessageTraceId,
      hostileTraceId,
      queue,
    };
  } finally {
    const codes = await group.stopAll();
    await deleteQueues(queue);
    await deleteQueues(failingQueue);
    await Deno.remove(dataDir, { recursive: true });
    assert.deepEqual(codes, codes.map(() => 0), "a service did not stop cleanly");
  }
}
