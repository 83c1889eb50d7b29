import assert from "node:assert/strict";
import { connectOrFail } from "../lib/testing/amqp.ts";
import { waitFor } from "../lib/testing/wait.ts";
import { SpanKindNumber, startOtlpSink } from "../lib/testing/otlp_sink.ts";
import { requestJson } from "../lib/testing/http.ts";
import { processedIds, startMessaging } from "./_messaging.ts";

Deno.test("consumer SIGTERM mid-run loses no message", async () => {
  await (await connectOrFail()).close();
  const sink = startOtlpSink();
  const services = await startMessaging(sink.endpoint, {
    WORK_NORMAL_MS: "20-60",
    PREFETCH: "5",
  });
  try {
    const sent = await requestJson(`${services.producer.url}/send-bulk`, {
      body: { content: "work", count: 100 },
    });
    assert.equal(sent.status, 202);
    const ids = sent.body.message_ids as string[];
    await waitFor("the first consumer to be busy", async () => {
      const stats = await requestJson(`${services.consumer.url}/stats`);
      return Number(stats.body.processed_messages) >= 10;
    });
    assert.equal(await services.consumer.stop("SIGTERM"), 0);
    const stopped = services.consumer.logs.map((line) => line.msg);
    assert.ok(stopped.includes("Stopped"), "the consumer did not stop cleanly");
    const byFirst = processedIds(sink.spans).size;
    assert.ok(byFirst < ids.length, "the first consumer finished everything before SIGTERM");

    services.consumer = await services.startConsumer();
    await sink.waitFor((spans) => ids.every((id) => processedIds(spans).has(id)), 20_000);
  } finally {
    const codes = await services.stop();
    await sink.close();
    assert.deepEqual(codes, { producer: 0, consumer: 0 });
  }
});

Deno.test("producer SIGTERM answers every request it accepted, and each 202 was delivered", async () => {
  await (await connectOrFail()).close();
  const sink = startOtlpSink();
  const services = await startMessaging(sink.endpoint);
  try {
    const requests = Array.from(
      { length: 50 },
      (_, i) => requestJson(`${services.producer.url}/send`, { body: { content: `m${i}` } }),
    );
    await Promise.race(requests); // SIGTERM once the producer answers, with the rest in flight.
    const exited = services.producer.stop("SIGTERM");
    const results = await Promise.allSettled(requests);
    assert.equal(await exited, 0);
    // A request the server had not read yet when it stopped is refused (the connection closes
    // without an answer); one it had read reached the app and made a SERVER span. Every such
    // request must have been answered.
    const handled = sink.spans.filter((s) =>
      s.service === "producer" && s.kind === SpanKindNumber.SERVER && s.name === "POST /send"
    );
    const fulfilled = results.filter((r) => r.status === "fulfilled").length;
    assert.equal(fulfilled, handled.length, "a request that reached the producer got no answer");
    for (const r of results) {
      if (r.status === "rejected") {
        assert.match(String((r.reason as Error).cause), /connection closed before message/);
      }
    }
    const answers = results.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
    for (const answer of answers) assert.ok([202, 503].includes(answer.status), `${answer.status}`);
    const accepted = answers.filter((a) => a.status === 202).map((a) => String(a.body.message_id));
    assert.ok(accepted.length > 0);
    await sink.waitFor((spans) => accepted.every((id) => processedIds(spans).has(id)), 20_000);
    const refused = await fetch(`${services.producer.url}/health`).then(() => false, () => true);
    assert.ok(refused, "the stopped producer still answered");
  } finally {
    const codes = await services.stop();
    await sink.close();
    assert.deepEqual(codes, { producer: 0, consumer: 0 });
  }
});
