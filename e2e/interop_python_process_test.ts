/**
 * Traces across Python and our messaging services, over the real RabbitMQ: the Python peer
 * (interop/python: pika and the OpenTelemetry SDK) publishes to our consumer's queue and our
 * consumer continues its trace; our producer publishes and the Python peer continues ours. Every
 * process exports OTLP/protobuf to our tracing service, which forwards it to a real Jaeger v2, and
 * the test checks each trace in both query APIs.
 */
import assert from "node:assert/strict";
import {
  connectOrFail,
  deleteQueues,
  TEST_RABBITMQ_URL,
  uniqueQueueName,
} from "../lib/testing/amqp.ts";
import { requestJson } from "../lib/testing/http.ts";
import { type SinkSpan, SpanKindNumber } from "../lib/testing/otlp_sink.ts";
import { type ServiceProcess, startServiceProcess } from "../lib/testing/service_process.ts";
import { untilReady } from "./_messaging.ts";
import { runPythonPeer } from "./_peers.ts";
import { readTrace } from "./_trace_backend.ts";
import {
  startTracingWithJaeger,
  type TelemetryMode,
  type TracingWithJaeger,
} from "./_tracing_with_jaeger.ts";

/** Starts our `service` ("producer" or "consumer") on `queue` and waits for its /ready. */
async function startMessagingService(
  service: "producer" | "consumer",
  queue: string,
  dataDir: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  return await untilReady(
    await startServiceProcess({
      service,
      dataDir,
      env: { ...env, QUEUE_NAME: queue, WORK_HIGH_MS: "0", WORK_NORMAL_MS: "0", WORK_LOW_MS: "0" },
    }),
  );
}

function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

function only(spans: readonly SinkSpan[], what: string, match: (span: SinkSpan) => boolean) {
  const found = spans.filter(match);
  assert.equal(
    found.length,
    1,
    `expected one ${what}, got ${found.length} in ${
      spans.map((s) => `${s.service}: ${s.name}`).join(", ")
    }`,
  );
  return found[0]!;
}

/** Runs `body` with both trace stores, a fresh queue and a data dir, and cleans them up. */
async function withBackendsAndQueue(
  body: (backends: TracingWithJaeger, queue: string, dataDir: string) => Promise<void>,
): Promise<void> {
  await (await connectOrFail()).close();
  const backends = await startTracingWithJaeger();
  const queue = uniqueQueueName("interop-py");
  const dataDir = await Deno.makeTempDir({ prefix: "interop-python-" });
  try {
    await body(backends, queue, dataDir);
  } finally {
    await deleteQueues(queue);
    await backends.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
}

for (const mode of ["sdk", "deno"] as const) {
  Deno.test(`a Python publisher's trace continues in our consumer (${mode} telemetry)`, async (t) => {
    await withBackendsAndQueue(async (backends, queue, dataDir) => {
      const env = backends.exportEnv();
      const consumer = await startMessagingService(
        "consumer",
        queue,
        dataDir,
        backends.exportEnv(mode),
      );
      let code: number | undefined;
      try {
        const published = await runPythonPeer(
          ["publish", "--url", TEST_RABBITMQ_URL, "--queue", queue, "--content", "from Python"],
          { ...env, OTEL_SERVICE_NAME: "python-publisher" },
        );
        const traceId = String(published.trace_id);
        for (const [store, source] of backends.stores) {
          await t.step(`one trace Python PRODUCER → our CONSUMER in ${store}`, async () => {
            const spans = await readTrace(source, traceId, 2);
            assert.equal(spans.length, 2, spans.map((s) => `${s.service}: ${s.name}`).join(", "));

            const send = only(spans, "PRODUCER span", (s) => s.kind === SpanKindNumber.PRODUCER);
            assert.equal(send.service, "python-publisher");
            assert.equal(send.resource["telemetry.sdk.language"], "python");
            assert.equal(send.spanId, published.span_id);
            assert.equal(send.parentSpanId, "", "the Python span is the trace's root");
            assert.equal(send.name, `send ${queue}`);
            assert.equal(send.attributes["messaging.system"], "rabbitmq");
            assert.equal(send.attributes["messaging.message.id"], published.message_id);

            const process = only(spans, "CONSUMER span", (s) => s.kind === SpanKindNumber.CONSUMER);
            assert.equal(process.service, "consumer");
            assert.equal(process.name, `process ${queue}`);
            assert.equal(
              process.parentSpanId,
              send.spanId,
              "our consumer continues the Python span",
            );
            assert.equal(process.attributes["messaging.message.id"], published.message_id);
            assert.equal(process.attributes["messaging.rabbitmq.outcome"], "processed");
            assert.equal(process.statusCode, 0);
            assert.notEqual(process.resource["telemetry.sdk.language"], "python");
          });
        }
        const stats = await requestJson(`${consumer.url}/stats`);
        assert.equal(stats.body.processed_messages, 1);
      } finally {
        code = await consumer.stop();
      }
      assert.equal(code, 0);
    });
  });
}

// Deno's own propagation (OTEL_DENO=true) never sends tracestate: docs/propagation.md.
const EXPECTED_TRACESTATE: Record<TelemetryMode, string> = { sdk: "interop=python", deno: "" };

for (const mode of ["sdk", "deno"] as const) {
  Deno.test(`our producer's trace continues in a Python consumer (${mode} telemetry)`, async (t) => {
    await withBackendsAndQueue(async (backends, queue, dataDir) => {
      const env = backends.exportEnv();
      // Only the producer runs: the Python peer is the queue's one consumer.
      const producer = await startMessagingService(
        "producer",
        queue,
        dataDir,
        backends.exportEnv(mode),
      );
      let code: number | undefined;
      try {
        // A caller's context with a tracestate and baggage, which must reach Python unchanged.
        const caller = { traceId: randomHex(16), spanId: randomHex(8) };
        const sent = await requestJson(`${producer.url}/send`, {
          body: { content: "to Python", priority: "high" },
          headers: {
            traceparent: `00-${caller.traceId}-${caller.spanId}-01`,
            tracestate: "interop=python",
            baggage: "tenant=acme",
          },
        });
        assert.equal(sent.status, 202, JSON.stringify(sent.body));
        const traceId = String(sent.body.trace_id);
        assert.equal(traceId, caller.traceId);

        const consumed = await runPythonPeer(
          ["consume", "--url", TEST_RABBITMQ_URL, "--queue", queue],
          { ...env, OTEL_SERVICE_NAME: "python-consumer" },
        );
        assert.equal(consumed.trace_id, traceId, "the Python peer continued our trace");
        assert.equal(consumed.tracestate, EXPECTED_TRACESTATE[mode]);
        assert.deepEqual(consumed.baggage, { tenant: "acme" });
        assert.equal(consumed.message_id, sent.body.message_id);
        assert.deepEqual(
          { ...consumed.message as Record<string, unknown>, created_at: undefined },
          {
            id: sent.body.message_id,
            content: "to Python",
            priority: "high",
            created_at: undefined,
          },
        );

        for (const [store, source] of backends.stores) {
          await t.step(`one trace our PRODUCER → Python CONSUMER in ${store}`, async () => {
            const spans = await readTrace(source, traceId, 3);
            assert.equal(spans.length, 3, spans.map((s) => `${s.service}: ${s.name}`).join(", "));
            const server = only(spans, "SERVER span", (s) => s.kind === SpanKindNumber.SERVER);
            const send = only(spans, "PRODUCER span", (s) => s.kind === SpanKindNumber.PRODUCER);
            const process = only(spans, "CONSUMER span", (s) => s.kind === SpanKindNumber.CONSUMER);
            assert.equal(server.service, "producer");
            assert.equal(server.name, "POST /send");
            assert.equal(server.parentSpanId, caller.spanId);
            assert.equal(send.service, "producer");
            assert.equal(send.parentSpanId, server.spanId);
            assert.equal(process.service, "python-consumer");
            assert.equal(process.resource["telemetry.sdk.language"], "python");
            assert.equal(process.name, `process ${queue}`);
            assert.equal(process.spanId, consumed.span_id);
            assert.equal(
              process.parentSpanId,
              send.spanId,
              "the Python span's parent is our PRODUCER",
            );
            assert.equal(consumed.parent_span_id, send.spanId);
            assert.equal(process.attributes["messaging.message.id"], sent.body.message_id);
          });
        }
      } finally {
        code = await producer.stop();
      }
      assert.equal(code, 0);
    });
  });
}
