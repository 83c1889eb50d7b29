/**
 * Fault: the broker closes the producer's and the consumer's connections three times while
 * messages are being sent. Promise: every message the producer confirmed (202) is processed;
 * a message is processed twice only when its ack was lost with a connection, so duplicates stay
 * within one prefetch window per close; both services retry within a second (AMQP_RECONNECT_MAX_MS).
 */
import assert from "node:assert/strict";
import { closeConnectionsNamed, connectOrFail } from "../../lib/testing/amqp.ts";
import { startOtlpSink } from "../../lib/testing/otlp_sink.ts";
import type { ServiceProcess } from "../../lib/testing/service_process.ts";
import { requestJson } from "../../lib/testing/http.ts";
import { brokerConnects, processedIds, startMessaging } from "../_messaging.ts";
import { reportFigures, startSendLoad } from "./_load.ts";
import { waitFor } from "../../lib/testing/wait.ts";

const CLOSES = 3;
const PREFETCH = 10;

function connectionName(service: ServiceProcess): string {
  const line = service.logs.find((log) => log.msg === "Connecting to RabbitMQ");
  assert.ok(line, `${service.name} logged no connection name`);
  return String(line.connection_name);
}

Deno.test("three broker connection closes under publish load lose no confirmed message", async () => {
  await (await connectOrFail()).close();
  const sink = startOtlpSink();
  const services = await startMessaging(sink.endpoint, { PREFETCH: String(PREFETCH) });
  const { producer, consumer } = services;
  const { load, accepted } = startSendLoad(producer.url, 4);
  try {
    await waitFor(
      "both services connected",
      () => brokerConnects(producer) + brokerConnects(consumer) >= 2,
    );
    for (let round = 1; round <= CLOSES; round++) {
      const before = accepted().length;
      await waitFor(`load before close ${round}`, () => accepted().length >= before + 200, {
        timeoutMs: 20_000,
      });
      assert.equal(await closeConnectionsNamed(connectionName(producer)), 1);
      assert.equal(await closeConnectionsNamed(connectionName(consumer)), 1);
      await waitFor(
        `both services back after close ${round}`,
        () => brokerConnects(producer) > round && brokerConnects(consumer) > round,
        { timeoutMs: 20_000 },
      );
    }
    const beforeStop = accepted().length;
    await waitFor("load after the last close", () => accepted().length >= beforeStop + 200, {
      timeoutMs: 20_000,
    });
    await load.stop();

    const statuses = new Set(load.outcomes.map((o) => o.answered ? o.value.status : "no answer"));
    assert.deepEqual([...statuses].filter((s) => s !== 202 && s !== 503), [], "only 202 or 503");
    const ids = accepted();
    await sink.waitFor((spans) => {
      const processed = processedIds(spans);
      return ids.every((id) => processed.has(id));
    }, 30_000);

    const stats = (await requestJson(`${consumer.url}/stats`)).body;
    const refused = load.outcomes.filter((o) => o.answered && o.value.status === 503).length;
    // A 503 publish may still have reached the queue (its confirm was lost with the connection).
    assert.ok(Number(stats.processed_messages) >= ids.length);
    assert.ok(Number(stats.processed_messages) <= ids.length + refused);
    assert.ok(Number(stats.duplicate_messages) <= CLOSES * PREFETCH, JSON.stringify(stats));
    assert.ok(Number(stats.redelivered_messages) <= CLOSES * PREFETCH, JSON.stringify(stats));
    for (const service of [producer, consumer]) {
      const delays = service.logs.filter((log) => log.msg === "Reconnecting to RabbitMQ")
        .map((log) => Number(log.delay_ms));
      assert.ok(delays.every((delay) => delay <= 1000), `${service.name} waited ${delays}`);
    }
    reportFigures("broker_connections", {
      closes: CLOSES,
      accepted: ids.length,
      refused_503: refused,
      processed_unique: stats.processed_messages,
      duplicates: stats.duplicate_messages,
      redelivered: stats.redelivered_messages,
    });
  } finally {
    await load.stop();
    const codes = await services.stop();
    await sink.close();
    assert.deepEqual(codes, { producer: 0, consumer: 0 });
  }
});
