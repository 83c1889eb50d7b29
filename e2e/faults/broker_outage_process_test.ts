/**
 * Fault: the broker goes away (every connection dropped, the port refusing) and comes back.
 * Promise: producer and consumer keep retrying at most a second apart, so each is back on the
 * first or second attempt after the broker returns; the producer answers 503 with
 * `retry-after` while it is down, and every message it confirmed is processed.
 */
import assert from "node:assert/strict";
import { connectOrFail, TEST_RABBITMQ_URL } from "../../lib/testing/amqp.ts";
import { startOtlpSink } from "../../lib/testing/otlp_sink.ts";
import type { ServiceProcess } from "../../lib/testing/service_process.ts";
import { brokerConnects, processedIds, startMessaging } from "../_messaging.ts";
import { reportFigures, startSendLoad } from "./_load.ts";
import { waitFor } from "../../lib/testing/wait.ts";
import { startTcpProxy } from "./_tcp_proxy.ts";

/** Failed attempts each service must log before the broker comes back: the backoff is capped. */
const ATTEMPTS_WHILE_DOWN = 5;

const attempts = (service: ServiceProcess) =>
  service.logs.filter((log) => log.msg === "Reconnecting to RabbitMQ");

Deno.test("producer and consumer are back within a retry of the broker's return", async () => {
  await (await connectOrFail()).close();
  const broker = new URL(TEST_RABBITMQ_URL);
  const proxy = startTcpProxy({ hostname: broker.hostname, port: Number(broker.port || 5672) });
  const proxied = new URL(TEST_RABBITMQ_URL);
  proxied.port = String(proxy.port);
  const sink = startOtlpSink();
  const services = await startMessaging(sink.endpoint, { RABBITMQ_URL: proxied.href });
  const { producer, consumer } = services;
  const { load, accepted } = startSendLoad(producer.url, 2);
  try {
    await waitFor("messages flowing", () => accepted().length >= 100, { timeoutMs: 20_000 });
    proxy.down();
    await waitFor(
      "both services retrying",
      () => [producer, consumer].every((s) => attempts(s).length >= ATTEMPTS_WHILE_DOWN),
      { timeoutMs: 30_000 },
    );
    const down = await fetch(`${producer.url}/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ content: "while down" }),
    });
    assert.equal(down.status, 503);
    assert.match(down.headers.get("retry-after") ?? "", /^[0-9]+$/);
    assert.equal((await down.json()).error.code, "broker_unavailable");
    const attemptsAtReturn = [producer, consumer].map((s) => attempts(s).length);
    proxy.up();
    await waitFor(
      "both services back",
      () => brokerConnects(producer) >= 2 && brokerConnects(consumer) >= 2,
    );
    const attemptsAfterReturn = [producer, consumer].map((s, i) =>
      attempts(s).length - attemptsAtReturn[i]!
    );
    // The attempt scheduled when the broker came back may still fail (it was already refused
    // when the proxy listened again); the next one, at most 1 s later, must connect.
    for (const extra of attemptsAfterReturn) assert.ok(extra <= 1, `${attemptsAfterReturn}`);
    for (const service of [producer, consumer]) {
      const delays = attempts(service).map((log) => Number(log.delay_ms));
      assert.ok(delays.every((delay) => delay <= 1000), `${service.name} waited ${delays}`);
    }
    const before = accepted().length;
    await waitFor("messages flowing again", () => accepted().length >= before + 100, {
      timeoutMs: 20_000,
    });
    await load.stop();
    const ids = accepted();
    await sink.waitFor((spans) => ids.every((id) => processedIds(spans).has(id)), 30_000);
    reportFigures("broker_outage", {
      failed_attempts_while_down: attemptsAtReturn,
      attempts_after_return: attemptsAfterReturn,
      longest_delay_ms: Math.max(
        ...[producer, consumer].flatMap((s) => attempts(s).map((l) => Number(l.delay_ms))),
      ),
      accepted: ids.length,
    });
  } finally {
    await load.stop();
    const codes = await services.stop();
    await proxy.close();
    await sink.close();
    assert.deepEqual(codes, { producer: 0, consumer: 0 });
  }
});
