import { SpanKind } from "@opentelemetry/api";
import assert from "node:assert/strict";
import { jsonInit } from "../lib/testing/http.ts";
import { createLogger } from "../lib/log.ts";
import { uniqueQueueName } from "../lib/testing/amqp.ts";
import { waitFor } from "../lib/testing/wait.ts";
import { startPair } from "../lib/testing/amqp_pair.ts";
import { createApp } from "./app.ts";
import { LoadRuns } from "./load.ts";

async function setup(prefix: string) {
  const pair = await startPair(uniqueQueueName(prefix), { consume: false });
  const loads = new LoadRuns({ maxRuns: 1 });
  const app = createApp({
    publisher: pair.publisher,
    loads,
    queue: "unused",
    logger: createLogger({ service: "producer", level: "error", write: () => {} }),
    telemetry: pair.telemetry,
    maxBodyBytes: 1024,
  });
  const post = (path: string, body: unknown) => app.request(path, jsonInit("POST", body));
  return { pair, app, loads, post };
}

Deno.test("POST /send-bulk publishes each message as its own child span of the request", async () => {
  const { pair, post } = await setup("bulk");
  try {
    const response = await post("/send-bulk", { content: "x", count: 20, priority: "low" });
    assert.equal(response.status, 202);
    const body = await response.json();
    assert.equal(body.count, 20);
    const spans = pair.exporter.getFinishedSpans();
    const server = spans.find((span) => span.kind === SpanKind.SERVER);
    const sends = spans.filter((span) => span.kind === SpanKind.PRODUCER);
    assert.equal(server?.name, "POST /send-bulk");
    assert.equal(sends.length, 20);
    for (const send of sends) {
      assert.equal(send.parentSpanContext?.spanId, server?.spanContext().spanId);
      assert.equal(send.spanContext().traceId, body.trace_id);
    }
    assert.deepEqual(
      new Set(sends.map((s) => s.attributes["messaging.message.id"])),
      new Set(body.message_ids),
    );
  } finally {
    await pair.close();
  }
});

Deno.test("POST /simulate-load publishes at the asked rate for the asked time", async () => {
  const { pair, app, post } = await setup("load");
  try {
    const rate = 200;
    const response = await post("/simulate-load", {
      duration_seconds: 5,
      messages_per_second: rate,
      priority: "low",
    });
    assert.equal(response.status, 202);
    const { id } = await response.json();
    let run: Record<string, number | string> = {};
    await waitFor("the run to finish", async () => {
      run = await (await app.request(`/simulate-load/${id}`)).json();
      return run.status === "completed" && run.in_flight === 0;
    }, { timeoutMs: 15_000 });
    assert.equal(run.failed, 0);
    const sent = Number(run.sent);
    // The bound: the achieved rate is within 10% of the asked one over 5 s.
    assert.ok(Math.abs(sent - rate * 5) <= rate * 5 * 0.1, `sent ${sent} in 5 s`);
    assert.ok(Math.abs(Number(run.actual_rate_per_second) - rate) <= rate * 0.1);
    // Each load message starts its own trace rather than joining the POST's.
    const sends = pair.exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.PRODUCER);
    assert.equal(sends.length, sent);
    assert.ok(sends.every((span) => span.parentSpanContext === undefined));
  } finally {
    await pair.close();
  }
});

Deno.test("Producer faults show on the PRODUCER span: publish_delay inside it, confirm_failures failing it", async () => {
  const { pair, app, post } = await setup("faults");
  try {
    const put = (name: string, body: unknown) =>
      app.request(`/faults/${name}`, jsonInit("PUT", body));
    await (await put("publish_delay", { enabled: true, delay_ms: 50, jitter_ms: 0 })).body
      ?.cancel();
    const sent = await post("/send", { content: "slow" });
    assert.equal(sent.status, 202);
    await sent.body?.cancel();
    const [slow] = pair.exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.PRODUCER);
    assert.equal(slow?.attributes["fault.name"], "publish_delay");
    const ms = slow!.duration[0] * 1000 + slow!.duration[1] / 1e6;
    assert.ok(ms >= 50, `the wait is inside the send span: ${ms} ms`);

    await (await put("publish_delay", { enabled: false })).body?.cancel();
    await (await put("confirm_failures", { enabled: true, rate: 1 })).body?.cancel();
    const refused = await post("/send", { content: "lost" });
    assert.equal(refused.status, 503);
    assert.match((await refused.json()).error.message, /fault confirm_failures/);
    const failed = pair.exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.PRODUCER)[1];
    assert.equal(failed?.attributes["fault.name"], "confirm_failures");
    assert.equal(failed?.attributes["error.type"], "nacked");
    const metrics = await (await app.request("/metrics")).text();
    assert.match(metrics, /^message_confirm_failures_total\{reason="nacked"\} 1$/m);
  } finally {
    await pair.close();
  }
});
