/**
 * What the order service sends to the user service for each incoming `traceparent` and
 * `tracestate`, as real processes, in both telemetry modes. The user service is played by a
 * server in this test that records the headers and answers as user would.
 *
 * SDK mode follows W3C Trace Context Level 2 in full. Deno mode propagates with Deno's own code;
 * its test pins what that code does and does not do, so the README's list stays true.
 */
import assert from "node:assert/strict";
import { connectOrFail, deleteQueues, uniqueQueueName } from "../lib/testing/amqp.ts";
import { waitFor } from "../lib/testing/wait.ts";
import { startOtlpSink } from "../lib/testing/otlp_sink.ts";
import { type ServiceProcess, startServiceProcess } from "../lib/testing/service_process.ts";
import { telemetryEnv } from "./_fixture.ts";

const TRACE_ID = "12345678901234567890123456789012";
const CALLER = `00-${TRACE_ID}-1234567890123456`;
const ORDER = { username: "grace", item: "compiler", quantity: 1, unit_price: 3.5 };

interface Sent {
  traceparent: string | null;
  tracestate: string | null;
}

/** Starts order in `mode` against a stand-in user service; `send` posts one order. */
async function startOrder(mode: "sdk" | "deno", env: Record<string, string> = {}) {
  const sent: Sent[] = [];
  const user = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    if (new URL(request.url).pathname.startsWith("/users/")) {
      sent.push({
        traceparent: request.headers.get("traceparent"),
        tracestate: request.headers.get("tracestate"),
      });
    }
    const now = new Date().toISOString();
    return Response.json({
      username: "grace",
      email: "grace@example.com",
      full_name: "Grace Hopper",
      created_at: now,
      updated_at: now,
    });
  });
  const sink = startOtlpSink();
  const dataDir = await Deno.makeTempDir({ prefix: "e2e-propagation-" });
  let order: ServiceProcess;
  try {
    order = await startServiceProcess({
      service: "order",
      dataDir,
      env: {
        ...telemetryEnv(sink.endpoint, mode),
        OTEL_SERVICE_NAME: "order",
        USER_SERVICE_URL: `http://127.0.0.1:${user.addr.port}`,
        ...env,
      },
    });
  } catch (error) {
    await user.shutdown();
    await sink.close();
    throw error;
  }
  return {
    /** Posts an order with `headers` and returns what order sent to user. */
    async send(headers: Record<string, string> | [string, string][] = {}): Promise<Sent> {
      const response = await fetch(`${order.url}/orders`, {
        method: "POST",
        headers: new Headers([["content-type", "application/json"], ...Object.entries(headers)]),
        body: JSON.stringify(ORDER),
      });
      await response.body?.cancel();
      assert.equal(response.status, 201);
      return sent.at(-1)!;
    },
    async stop() {
      await order.stop();
      await user.shutdown();
      await sink.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

function fields(traceparent: string | null) {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent ?? "");
  assert.ok(match, `a version-00 traceparent, got ${traceparent}`);
  return { traceId: match[1]!, parentId: match[2]!, flags: match[3]! };
}

Deno.test("order in SDK mode sends user W3C Trace Context Level 2", async (t) => {
  const order = await startOrder("sdk");
  try {
    await t.step("flags in, the right flags out", async () => {
      for (
        const [flagsIn, flagsOut] of [["00", "00"], ["01", "01"], ["02", "02"], ["03", "03"], [
          "ff",
          "03",
        ]]
      ) {
        const sent = fields(
          (await order.send({ traceparent: `${CALLER}-${flagsIn}` })).traceparent,
        );
        assert.equal(sent.traceId, TRACE_ID);
        assert.equal(sent.flags, flagsOut, `-${flagsIn} in`);
      }
    });
    await t.step("a new trace is sampled and random", async () => {
      assert.equal(fields((await order.send()).traceparent).flags, "03");
    });
    await t.step("three unsampled requests, three parent-ids", async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 3; i++) {
        ids.add(fields((await order.send({ traceparent: `${CALLER}-00` })).traceparent).parentId);
      }
      assert.equal(ids.size, 3);
    });
    await t.step("tracestate with current-grammar keys is kept", async () => {
      const tracestate = `foo@=1,foo@@bar=2,${"t".repeat(242)}@v=3`;
      const sent = await order.send({ traceparent: `${CALLER}-01`, tracestate });
      assert.equal(sent.tracestate, tracestate);
    });
    await t.step("an invalid tracestate is dropped whole; traceparent still goes", async () => {
      const sent = await order.send({ traceparent: `${CALLER}-01`, tracestate: "foo=,bar=3" });
      assert.equal(sent.tracestate, null);
      assert.equal(fields(sent.traceparent).traceId, TRACE_ID);
    });
  } finally {
    await order.stop();
  }
});

Deno.test("order in Deno mode: what Deno's own propagation does and does not do", async (t) => {
  const order = await startOrder("deno", { OTEL_TRACES_SAMPLER: "parentbased_always_on" });
  try {
    await t.step("does: the trace id and sampled flag go on", async () => {
      for (const [flagsIn, flagsOut] of [["00", "00"], ["01", "01"]]) {
        const sent = fields(
          (await order.send({ traceparent: `${CALLER}-${flagsIn}` })).traceparent,
        );
        assert.equal(sent.traceId, TRACE_ID);
        assert.equal(sent.flags, flagsOut);
      }
    });
    await t.step("does: each unsampled request gets its own parent-id", async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 3; i++) {
        ids.add(fields((await order.send({ traceparent: `${CALLER}-00` })).traceparent).parentId);
      }
      assert.equal(ids.size, 3);
    });
    await t.step("does not: keep the random flag", async () => {
      assert.equal(
        fields((await order.send({ traceparent: `${CALLER}-02` })).traceparent).flags,
        "00",
      );
      assert.equal(
        fields((await order.send({ traceparent: `${CALLER}-03` })).traceparent).flags,
        "01",
      );
    });
    await t.step("does not: send tracestate", async () => {
      const sent = await order.send({ traceparent: `${CALLER}-01`, tracestate: "foo=1,bar=2" });
      assert.equal(sent.tracestate, null);
    });
    await t.step(
      "does not: read a traceparent header spelled in other than lowercase",
      async () => {
        const sent = await order.send([["TraceParent", `${CALLER}-01`]]);
        assert.notEqual(fields(sent.traceparent).traceId, TRACE_ID);
      },
    );
  } finally {
    await order.stop();
  }
});

/** Starts producer in `mode` on a throwaway queue with no consumer; `send` returns the headers. */
async function startProducer(mode: "sdk" | "deno") {
  await (await connectOrFail()).close();
  const queue = uniqueQueueName("e2e-propagation");
  const sink = startOtlpSink();
  const dataDir = await Deno.makeTempDir({ prefix: "e2e-propagation-" });
  const producer = await startServiceProcess({
    service: "producer",
    dataDir,
    env: {
      ...telemetryEnv(sink.endpoint, mode),
      OTEL_SERVICE_NAME: "producer",
      OTEL_TRACES_SAMPLER: "parentbased_always_on",
      QUEUE_NAME: queue,
    },
  });
  await waitFor("the producer to be ready", async () => {
    const response = await fetch(`${producer.url}/ready`);
    await response.body?.cancel();
    return response.status === 200;
  });
  const model = await connectOrFail();
  const channel = await model.createChannel();
  return {
    /** Sends three messages in one request with `headers`; returns their trace headers. */
    async send(headers: Record<string, string>): Promise<Sent[]> {
      const response = await fetch(`${producer.url}/send-bulk`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ content: "hello", count: 3, priority: "normal" }),
      });
      await response.body?.cancel();
      assert.equal(response.status, 202);
      const sent: Sent[] = [];
      for (let i = 0; i < 3; i++) {
        const message = await channel.get(queue, { noAck: true });
        assert.ok(message, `message ${i + 1} of 3 in the queue`);
        const text = (value: unknown) => value === undefined ? null : String(value);
        sent.push({
          traceparent: text(message.properties.headers?.traceparent),
          tracestate: text(message.properties.headers?.tracestate),
        });
      }
      return sent;
    },
    async stop() {
      await producer.stop();
      await channel.close();
      await model.close();
      await deleteQueues(queue);
      await sink.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

Deno.test("producer sends Level 2 trace context in message headers, per mode", async (t) => {
  for (const mode of ["sdk", "deno"] as const) {
    await t.step(mode, async () => {
      const producer = await startProducer(mode);
      try {
        for (const flags of ["02", "03"]) {
          const tracestate = "foo@=1,bar=2";
          const sent = await producer.send({ traceparent: `${CALLER}-${flags}`, tracestate });
          const parents = sent.map((s) => fields(s.traceparent));
          assert.deepEqual(parents.map((p) => p.traceId), [TRACE_ID, TRACE_ID, TRACE_ID]);
          // Both modes: each message its own parent-id, recorded or not.
          assert.equal(new Set(parents.map((p) => p.parentId)).size, 3, `-${flags} in`);
          if (mode === "sdk") {
            assert.deepEqual(parents.map((p) => p.flags), [flags, flags, flags]);
            assert.deepEqual(sent.map((s) => s.tracestate), [tracestate, tracestate, tracestate]);
          } else {
            // Deno's own propagation: the random flag is lost and tracestate is not sent.
            const sampled = flags === "03" ? "01" : "00";
            assert.deepEqual(parents.map((p) => p.flags), [sampled, sampled, sampled]);
            assert.deepEqual(sent.map((s) => s.tracestate), [null, null, null]);
          }
        }
      } finally {
        await producer.stop();
      }
    });
  }
});
