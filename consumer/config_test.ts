import assert from "node:assert/strict";
import { catchConfigError } from "../lib/testing/config.ts";
import { loadConfig } from "./config.ts";

Deno.test("loadConfig() gives the documented defaults", () => {
  const config = loadConfig({});
  assert.equal(config.port, 8086);
  assert.equal(config.amqp.url, "amqp://guest:guest@127.0.0.1:5672");
  assert.equal(config.amqp.queue, "messages");
  assert.equal(config.amqp.traceContext, "parent");
  assert.equal(config.amqp.reconnectInitialMs, 500);
  assert.equal(config.amqp.reconnectMaxMs, 1000, "back within a second of the broker");
  assert.equal(config.prefetch, 10);
  assert.equal(config.maxRetries, 1);
  assert.equal(config.failureRate, 0);
  assert.deepEqual(config.work, {
    high: { min: 100, max: 300 },
    normal: { min: 200, max: 500 },
    low: { min: 500, max: 1500 },
  });
  assert.ok(Object.isFrozen(config));
});

Deno.test("loadConfig() raises the default reconnect cap to a longer first delay", () => {
  const config = loadConfig({ AMQP_RECONNECT_INITIAL_MS: "5000" });
  assert.equal(config.amqp.reconnectMaxMs, 5000);
});

Deno.test("loadConfig() reads work ranges, 0 turning the work off", () => {
  const config = loadConfig({ WORK_HIGH_MS: "0", WORK_NORMAL_MS: "50", WORK_LOW_MS: "10 - 20" });
  assert.deepEqual(config.work, {
    high: { min: 0, max: 0 },
    normal: { min: 50, max: 50 },
    low: { min: 10, max: 20 },
  });
});

Deno.test("loadConfig() lists every invalid variable", () => {
  const error = catchConfigError(() =>
    loadConfig({
      RABBITMQ_URL: "http://user:secret@host",
      QUEUE_NAME: "bad name",
      PREFETCH: "0",
      FAILURE_RATE: "1.5",
      MAX_RETRIES: "-1",
      WORK_LOW_MS: "300-100",
      AMQP_TRACE_CONTEXT: "child",
      AMQP_RECONNECT_INITIAL_MS: "5000",
      AMQP_RECONNECT_MAX_MS: "1000",
    })
  );
  const text = error.problems.join("\n");
  for (
    const name of [
      "RABBITMQ_URL",
      "QUEUE_NAME",
      "PREFETCH",
      "FAILURE_RATE",
      "MAX_RETRIES",
      "WORK_LOW_MS",
      "AMQP_TRACE_CONTEXT",
      "AMQP_RECONNECT_MAX_MS",
    ]
  ) {
    assert.match(text, new RegExp(`Invalid ${name} "`), `no problem reported for ${name}`);
  }
  assert.doesNotMatch(text, /secret/, "the password leaked into the error");
  assert.match(
    text,
    /Invalid RABBITMQ_URL "http:\/\/user:\*\*\*@host\/?": expected an absolute amqp or amqps URL/,
  );
});
