import assert from "node:assert/strict";
import type { SettledMessage } from "../lib/amqp/consume.ts";
import type { ConsumedMessage } from "../lib/amqp/message.ts";
import { createLogger } from "../lib/log.ts";
import { createRegistry } from "../lib/http/metrics.ts";
import { createTestTelemetry } from "../lib/testing/telemetry.ts";
import { createMessage, encodeMessage } from "../producer/message.ts";
import { createApp } from "./app.ts";
import { ConsumerStats } from "./stats.ts";
import { createWork } from "./work.ts";
import { FaultRegistry } from "../lib/faults/registry.ts";
import { CONSUMER_FAULTS } from "./faults.ts";
import { createWorker } from "./worker.ts";

function message(
  retryCount = 0,
  delivery: { messageId?: string; redelivered?: boolean } = {},
): ConsumedMessage {
  return {
    body: encodeMessage(createMessage("x", "high")),
    messageId: delivery.messageId ?? crypto.randomUUID(),
    contentType: "application/json",
    priority: 9,
    headers: {},
    routingKey: "messages",
    deliveryTag: 1,
    redelivered: delivery.redelivered ?? false,
    retryCount,
    publishedAtMs: Date.now() - 1500,
  };
}

function setup() {
  let now = 0;
  const stats = new ConsumerStats(() => now);
  const registry = createRegistry();
  const logger = createLogger({ service: "consumer", level: "error", write: () => {} });
  const faults = new FaultRegistry(CONSUMER_FAULTS, { logger });
  const worker = createWorker({
    work: createWork({
      work: { high: { min: 0, max: 0 }, normal: { min: 0, max: 0 }, low: { min: 0, max: 0 } },
      faults,
    }),
    stats,
    registry,
    logger,
  });
  let ready: true | string = true;
  const app = createApp({
    stats,
    inFlight: () => 3,
    registry,
    logger,
    telemetry: createTestTelemetry().telemetry,
    maxBodyBytes: 1024,
    readiness: { rabbitmq: () => ready },
  });
  return {
    app,
    worker,
    advance: (ms: number) => now += ms,
    setReady: (value: true | string) => ready = value,
  };
}

Deno.test("GET /stats counts outcomes and reports the processing rate", async () => {
  const { app, worker, advance } = setup();
  const settle = (outcome: SettledMessage["outcome"], error?: Error) =>
    worker.onSettled({ message: message(), outcome, durationMs: 5, error });
  advance(20_000);
  for (let i = 0; i < 30; i++) settle("processed");
  settle("retried", new Error("boom"));
  settle("dead_lettered", new Error("boom"));
  advance(1000);
  const response = await app.request("/stats");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.deepEqual(await response.json(), {
    processed_messages: 30,
    duplicate_messages: 0,
    redelivered_messages: 0,
    error_messages: 2,
    retried_messages: 1,
    dead_lettered_messages: 1,
    uptime_seconds: 21,
    processing_rate_per_second: 3,
    in_flight: 3,
  });
  advance(20_000);
  assert.equal((await (await app.request("/stats")).json()).processing_rate_per_second, 0);
});

Deno.test("GET /stats counts unique messages apart from redeliveries and duplicates", async () => {
  const { app, worker } = setup();
  const settle = (messageId: string, redelivered: boolean, outcome: SettledMessage["outcome"]) =>
    worker.onSettled({ message: message(0, { messageId, redelivered }), outcome, durationMs: 1 });
  settle("a", false, "processed");
  settle("b", false, "processed");
  // The connection dropped before the acks: the broker hands both out again.
  settle("a", true, "processed");
  settle("b", true, "processed");
  // Redelivered, but never processed before (its first consumer stopped mid-work).
  settle("c", true, "processed");
  settle("d", true, "retried");
  const stats = await (await app.request("/stats")).json();
  assert.equal(stats.processed_messages, 3);
  assert.equal(stats.duplicate_messages, 2);
  assert.equal(stats.redelivered_messages, 4);
  assert.equal(stats.retried_messages, 1);
});

Deno.test("GET /metrics exposes processing counts, durations and queue latency", async () => {
  const { app, worker } = setup();
  const delivered = message();
  await worker.handler(delivered);
  worker.onSettled({ message: delivered, outcome: "processed", durationMs: 12 });
  const text = await (await app.request("/metrics")).text();
  assert.match(text, /messages_processed_total\{priority="high",outcome="processed"\} 1/);
  assert.match(
    text,
    /message_processing_duration_seconds_count\{priority="high",outcome="processed"\} 1/,
  );
  assert.match(text, /message_queue_latency_seconds_bucket\{le="1",priority="high"\} 0/);
  assert.match(text, /message_queue_latency_seconds_bucket\{le="2.5",priority="high"\} 1/);
});

Deno.test("GET /ready answers 503 with the reason while not consuming", async () => {
  const { app, setReady } = setup();
  assert.equal((await app.request("/ready")).status, 200);
  setReady("not connected to amqp://guest:***@127.0.0.1:5672: connect ECONNREFUSED");
  const response = await app.request("/ready");
  assert.equal(response.status, 503);
  const body = await response.json();
  assert.match(body.checks.rabbitmq.reason, /ECONNREFUSED/);
  assert.equal((await app.request("/health")).status, 200);
});
