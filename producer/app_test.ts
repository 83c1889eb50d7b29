import assert from "node:assert/strict";
import { jsonInit } from "../lib/testing/http.ts";
import { delay, waitFor } from "../lib/testing/wait.ts";
import { type Published, PublishError, type PublishRequest } from "../lib/amqp/publish.ts";
import { createLogger } from "../lib/log.ts";
import { createTestTelemetry } from "../lib/testing/telemetry.ts";
import { createApp } from "./app.ts";
import { LoadRuns } from "./load.ts";
import type { MessagePublisher } from "./sender.ts";

class FakePublisher implements MessagePublisher {
  ready = true;
  failWith: PublishError | undefined;
  readonly published: PublishRequest[] = [];

  publish(request: PublishRequest): Promise<Published> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    this.published.push(request);
    return Promise.resolve({ messageId: request.messageId, traceId: "t".repeat(32), spanId: "s" });
  }
}

function setup() {
  const publisher = new FakePublisher();
  const logged: Record<string, unknown>[] = [];
  const loads = new LoadRuns({ maxRuns: 2 });
  const app = createApp({
    publisher,
    loads,
    queue: "messages",
    logger: createLogger({
      service: "producer",
      level: "error",
      write: (line) => logged.push(JSON.parse(line)),
    }),
    telemetry: createTestTelemetry().telemetry,
    maxBodyBytes: 1024,
    readiness: { rabbitmq: () => publisher.ready || "not connected" },
  });
  const post = (path: string, body: unknown) => app.request(path, jsonInit("POST", body));
  return { app, publisher, loads, post, logged };
}

Deno.test("POST /send returns 202 with the message id after the confirm", async (t) => {
  const { publisher, post } = setup();
  await t.step("with a priority", async () => {
    const response = await post("/send", { content: "hello", priority: "high" });
    assert.equal(response.status, 202);
    const body = await response.json();
    assert.equal(body.status, "confirmed");
    assert.equal(body.priority, "high");
    assert.equal(body.trace_id, "t".repeat(32));
    const request = publisher.published.at(-1);
    assert.equal(request?.messageId, body.message_id);
    assert.equal(request?.priority, 9);
    assert.equal(request?.contentType, "application/json");
    const message = JSON.parse(new TextDecoder().decode(request?.body));
    assert.deepEqual(Object.keys(message).sort(), ["content", "created_at", "id", "priority"]);
    assert.equal(message.content, "hello");
  });
  await t.step("defaults to normal priority", async () => {
    const body = await (await post("/send", { content: "x" })).json();
    assert.equal(body.priority, "normal");
    assert.equal(publisher.published.at(-1)?.priority, 5);
  });
});

Deno.test("POST /send returns 400 naming each invalid field", async (t) => {
  const { post, publisher } = setup();
  const cases: [string, unknown, RegExp][] = [
    ["missing content", { priority: "low" }, /"content"/],
    ["content of the wrong type", { content: 5 }, /"content"/],
    ["empty content", { content: "" }, /"content"/],
    ["unknown priority", { content: "x", priority: "urgent" }, /"priority"/],
    ["an unknown field", { content: "x", extra: 1 }, /extra/],
    ["malformed JSON", "{nope", /Malformed JSON/],
  ];
  for (const [name, body, pattern] of cases) {
    await t.step(name, async () => {
      const response = await post("/send", body);
      assert.equal(response.status, 400);
      const { error } = await response.json();
      assert.match(error.message, pattern);
    });
  }
  assert.equal(publisher.published.length, 0);
});

Deno.test("POST /send returns 503 and logs an error when the broker did not confirm", async () => {
  const { post, publisher, logged } = setup();
  publisher.failWith = new PublishError("unavailable", "Broker unavailable: not connected");
  const response = await post("/send", { content: "x" });
  assert.equal(response.status, 503);
  assert.equal(response.headers.get("retry-after"), "5");
  const { error } = await response.json();
  assert.equal(error.code, "broker_unavailable");
  assert.match(error.message, /not connected/);
  const failed = logged.filter((line) => line.msg === "Message not published");
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.level, "error");
  assert.match(String(failed[0]!.trace_id), /^[0-9a-f]{32}$/, "logged under the request's span");
});

Deno.test("POST /send-bulk publishes count messages", async (t) => {
  const { post, publisher } = setup();
  await t.step("all confirmed", async () => {
    const response = await post("/send-bulk", { content: "x", count: 25, priority: "low" });
    assert.equal(response.status, 202);
    const body = await response.json();
    assert.equal(body.count, 25);
    assert.equal(new Set(body.message_ids).size, 25);
    assert.equal(publisher.published.length, 25);
  });
  await t.step("count out of range", async () => {
    for (const count of [0, 1001, 2.5, "3"]) {
      const response = await post("/send-bulk", { content: "x", count });
      assert.equal(response.status, 400);
      assert.match((await response.json()).error.message, /"count"/);
    }
  });
  await t.step("broker down", async () => {
    publisher.failWith = new PublishError("timeout", "No confirm");
    const response = await post("/send-bulk", { content: "x", count: 3 });
    assert.equal(response.status, 503);
    assert.match((await response.json()).error.message, /Only 0 of 3/);
  });
});

Deno.test("POST /simulate-load starts one bounded run that GET shows and DELETE stops", async () => {
  const { app, post, publisher } = setup();
  const response = await post("/simulate-load", {
    duration_seconds: 60,
    messages_per_second: 100,
    priority: "low",
  });
  assert.equal(response.status, 202);
  const run = await response.json();
  assert.equal(run.status, "running");
  assert.equal(response.headers.get("location"), `/simulate-load/${run.id}`);

  const second = await post("/simulate-load", { duration_seconds: 1, messages_per_second: 1 });
  assert.equal(second.status, 409);
  assert.equal((await second.json()).error.code, "load_run_active");

  const progress = await waitFor("the run to send", async () => {
    const state = await (await app.request(`/simulate-load/${run.id}`)).json();
    return state.sent > 0 ? state : undefined;
  });
  assert.equal(progress.status, "running");

  const stopped = await app.request(`/simulate-load/${run.id}`, { method: "DELETE" });
  assert.equal(stopped.status, 200);
  const final = await stopped.json();
  assert.equal(final.status, "stopped");
  const count = publisher.published.length;
  await delay(100); // five of the run's 20 ms ticks: none may publish any more
  assert.equal(publisher.published.length, count, "a stopped run kept publishing");
  assert.equal(publisher.published[0]?.newTrace, true);
});

Deno.test("POST /simulate-load validates its input and allows concurrency when asked", async () => {
  const { app, post, loads } = setup();
  for (
    const body of [{ duration_seconds: 0, messages_per_second: 1 }, {
      duration_seconds: 3601,
      messages_per_second: 1,
    }, { duration_seconds: 1, messages_per_second: 10_001 }]
  ) {
    assert.equal((await post("/simulate-load", body)).status, 400);
  }
  const spec = { duration_seconds: 5, messages_per_second: 1, concurrent: true };
  assert.equal((await post("/simulate-load", spec)).status, 202);
  assert.equal((await post("/simulate-load", spec)).status, 202);
  assert.equal((await post("/simulate-load", spec)).status, 409, "LOAD_MAX_RUNS is 2 here");
  loads.stopAll();
  assert.equal((await app.request("/simulate-load/nope")).status, 404);
  assert.equal((await app.request("/simulate-load/nope", { method: "DELETE" })).status, 404);
});

Deno.test("GET /ready answers 503 while the broker is unavailable", async () => {
  const { app, publisher } = setup();
  assert.equal((await app.request("/ready")).status, 200);
  publisher.ready = false;
  const response = await app.request("/ready");
  assert.equal(response.status, 503);
  assert.equal(response.headers.get("cache-control"), "no-store");
});

Deno.test("GET /metrics counts sent messages by priority and result", async () => {
  const { app, post, publisher } = setup();
  await post("/send", { content: "x", priority: "high" });
  publisher.failWith = new PublishError("nacked", "nack");
  await post("/send", { content: "x" });
  const text = await (await app.request("/metrics")).text();
  assert.match(text, /messages_sent_total\{priority="high",result="confirmed"\} 1/);
  assert.match(text, /messages_sent_total\{priority="normal",result="nacked"\} 1/);
  assert.match(text, /message_confirm_failures_total\{reason="nacked"\} 1/);
  assert.match(text, /message_publish_duration_seconds_count\{priority="high"\} 1/);
});
