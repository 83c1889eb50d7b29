import assert from "node:assert/strict";
import { PermanentMessageError } from "../lib/amqp/consume.ts";
import type { ConsumedMessage } from "../lib/amqp/message.ts";
import { createMessage, encodeMessage } from "../producer/message.ts";
import { FaultRegistry } from "../lib/faults/registry.ts";
import { CONSUMER_FAULTS, initialConsumerFaults } from "./faults.ts";
import { createWork, SimulatedFailureError } from "./work.ts";
import { createTestTelemetry } from "../lib/testing/telemetry.ts";

const work = {
  high: { min: 100, max: 300 },
  normal: { min: 200, max: 500 },
  low: { min: 500, max: 1500 },
};

function delivery(body: Uint8Array, priority = 0): ConsumedMessage {
  return {
    body,
    messageId: "m",
    contentType: "application/json",
    priority,
    headers: {},
    routingKey: "messages",
    deliveryTag: 1,
    redelivered: false,
    retryCount: 0,
    publishedAtMs: undefined,
  };
}

Deno.test("createWork() sleeps within the range of the message's priority", async (t) => {
  const slept: number[] = [];
  const run = createWork({
    work,
    faults: new FaultRegistry(CONSUMER_FAULTS),
    random: () => 0.5,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
  });
  await t.step("from the body", async () => {
    assert.equal(await run(delivery(encodeMessage(createMessage("x", "low")))), "low");
    assert.equal(slept.at(-1), 1000);
    assert.equal(await run(delivery(encodeMessage(createMessage("x", "high")))), "high");
    assert.equal(slept.at(-1), 200);
  });
  await t.step("from the AMQP priority when the body names none", async () => {
    const body = new TextEncoder().encode(JSON.stringify({ content: "x" }));
    assert.equal(await run(delivery(body, 9)), "high");
    assert.equal(await run(delivery(body, 0)), "low");
  });
});

Deno.test("createWork() skips the sleep when the range is 0", async () => {
  let slept = false;
  const run = createWork({
    work: { ...work, normal: { min: 0, max: 0 } },
    faults: new FaultRegistry(CONSUMER_FAULTS),
    sleep: () => {
      slept = true;
      return Promise.resolve();
    },
  });
  await run(delivery(encodeMessage(createMessage("x", "normal"))));
  assert.equal(slept, false);
});

Deno.test("createWork() fails permanently on a body that is not a message", async (t) => {
  const run = createWork({
    work,
    faults: new FaultRegistry(CONSUMER_FAULTS),
    sleep: () => Promise.resolve(),
  });
  for (
    const [name, text] of [
      ["not JSON", "not json"],
      ["not UTF-8", "\xff"],
      ["JSON of the wrong shape", '{"content": 5}'],
    ] as const
  ) {
    await t.step(name, async () => {
      const body = name === "not UTF-8"
        ? new Uint8Array([0xff, 0xfe])
        : new TextEncoder().encode(text);
      await assert.rejects(() => run(delivery(body)), PermanentMessageError);
    });
  }
});

Deno.test("createWork() fails at the configured rate", async () => {
  let next = 0.4;
  const faults = new FaultRegistry(CONSUMER_FAULTS, {
    initial: initialConsumerFaults(new Map(), 0.5),
    random: () => next,
  });
  const run = createWork({ work, faults, sleep: () => Promise.resolve() });
  const body = encodeMessage(createMessage("x", "normal"));
  await assert.rejects(() => run(delivery(body)), SimulatedFailureError);
  next = 0.6;
  assert.equal(await run(delivery(body)), "normal");
});

Deno.test("createWork() adds slow_consumer's delay and marks the span it runs in", async () => {
  const { telemetry, exporter } = createTestTelemetry();
  const slept: number[] = [];
  const faults = new FaultRegistry(CONSUMER_FAULTS, { random: () => 0.5 });
  faults.change("slow_consumer", { enabled: true, delay_ms: 700, jitter_ms: 100 });
  faults.change("processing_errors", { enabled: true, rate: 1 });
  const run = createWork({
    work: { high: { min: 0, max: 0 }, normal: { min: 0, max: 0 }, low: { min: 0, max: 0 } },
    faults,
    sleep: (ms) => Promise.resolve(void slept.push(ms)),
  });
  const body = encodeMessage(createMessage("x", "normal"));
  await telemetry.tracer.startActiveSpan("process messages", async (span) => {
    await assert.rejects(() => run(delivery(body)), /fault processing_errors, rate 1/);
    span.end();
  });
  assert.deepEqual(slept, [700]);
  const [span] = exporter.getFinishedSpans();
  assert.deepEqual(span?.events.map((e) => e.attributes?.["fault.name"]), [
    "slow_consumer",
    "processing_errors",
  ]);
});
