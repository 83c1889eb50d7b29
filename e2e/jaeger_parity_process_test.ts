/**
 * Query parity with Jaeger v2 as the oracle: real services export to the tracing service, which
 * forwards every request as received to a real Jaeger (in-memory storage), so both hold the same
 * OTLP batches; then every query API the tracing service claims from Jaeger is asked the same
 * question on both, and the answers are compared after normalising what Jaeger leaves arbitrary
 * (e2e/_jaeger_parity.ts). Differences kept on purpose are listed in docs/jaeger.md.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { connectOrFail } from "../lib/testing/amqp.ts";
import { requestJson } from "../lib/testing/http.ts";
import { JaegerProcess } from "../lib/testing/jaeger.ts";
import { waitFor } from "../lib/testing/wait.ts";
import { startTracingProcess } from "../tracing/testing/service.ts";
import { startOrderUserPair } from "./_fixture.ts";
import { otlpSpans, sorted, v1List, v1Trace, v1TraceIds } from "./_jaeger_parity.ts";
import { startMessaging } from "./_messaging.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const TELEMETRY = {
  OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
  OTEL_BSP_SCHEDULE_DELAY: "100",
  // Jaeger takes no log records; with them the tracing service adds them to its traces.
  OTEL_LOGS_EXPORTER: "none",
};

async function get(base: string, path: string): Promise<{ status: number; body: Json }> {
  const response = await requestJson(`${base}${path}`);
  return { status: response.status, body: response.body };
}

/**
 * Sends the traffic: users, orders (one for an unknown user), messages (about half failing once,
 * and one that is not a message, so at least one CONSUMER span is an error).
 */
async function drive(
  urls: { user: string; order: string; producer: string },
  queue: string,
): Promise<void> {
  for (const username of ["ada", "grace"]) {
    const created = await requestJson(`${urls.user}/users`, {
      body: { username, email: `${username}@example.com`, full_name: username },
    });
    assert.equal(created.status, 201);
  }
  const orders = [["ada", 2], ["ada", 1], ["grace", 3], ["nobody", 1]] as const;
  for (const [username, quantity] of orders) {
    const order = await requestJson(`${urls.order}/orders`, {
      body: { username, item: "engine", quantity, unit_price: 12.5 },
    });
    assert.equal(order.status, username === "nobody" ? 422 : 201, JSON.stringify(order.body));
    if (order.status === 201) {
      assert.equal((await requestJson(`${urls.order}/orders/${order.body.id}`)).status, 200);
    }
  }
  assert.equal((await requestJson(`${urls.user}/users/nobody`)).status, 404);
  for (const priority of ["high", "normal", "low", "high", "normal", "low"]) {
    const sent = await requestJson(`${urls.producer}/send`, {
      body: { content: `to ${priority}`, priority },
    });
    assert.equal(sent.status, 202);
  }
  const model = await connectOrFail();
  try {
    const channel = await model.createConfirmChannel();
    channel.sendToQueue(queue, Buffer.from("not a message"), { messageId: "garbage-1" });
    await channel.waitForConfirms();
    await channel.close();
  } finally {
    await model.close();
  }
}

Deno.test("the tracing service answers Jaeger's query APIs as Jaeger v2 does for the same spans", async (t) => {
  await (await connectOrFail()).close();
  const jaeger = await JaegerProcess.start();
  const tracing = await startTracingProcess({ env: { FORWARD_ENDPOINTS: jaeger.otlpEndpoint } });
  const env = { ...TELEMETRY, OTEL_EXPORTER_OTLP_ENDPOINT: tracing.otlpEndpoint };
  const pair = await startOrderUserPair(env);
  const messaging = await startMessaging(tracing.otlpEndpoint, {
    ...TELEMETRY,
    // Errors, retries (events) and span links from the real consumer.
    FAILURE_RATE: "0.5",
    MAX_RETRIES: "1",
    AMQP_TRACE_CONTEXT: "link",
  });
  const ours = tracing.queryUrl;
  const theirs = jaeger.queryUrl;
  try {
    const startUs = Date.now() * 1000 - 60_000_000;
    await drive(
      { user: pair.user.url, order: pair.order.url, producer: messaging.producer.url },
      messaging.queue,
    );

    // Both hold the same spans once every trace of ours is in Jaeger with as many spans.
    const traceIds = await waitFor("both stores to hold the same traces", async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const services = (await get(ours, "/api/services")).body.data as string[];
      if (services.length < 4) return undefined;
      const ids = new Set<string>();
      for (const service of services) {
        const found = await get(ours, `/api/traces?service=${service}&limit=1000`);
        for (const id of v1TraceIds(found.body)) ids.add(id);
      }
      for (const id of ids) {
        const [a, b] = await Promise.all([
          get(ours, `/api/traces/${id}`),
          get(theirs, `/api/traces/${id}`),
        ]);
        if (b.status !== 200 || b.body.data[0].spans.length !== a.body.data[0].spans.length) {
          return undefined;
        }
      }
      return [...ids];
    }, { timeoutMs: 60_000, intervalMs: 500 });
    const services = (await get(theirs, "/api/services")).body.data as string[];

    const same = async (name: string, path: string, normalise: (body: Json) => unknown) => {
      await t.step(`${name}: ${path}`, async () => {
        const [a, b] = await Promise.all([get(ours, path), get(theirs, path)]);
        assert.equal(a.status, b.status, `status of ${path}`);
        assert.deepEqual(normalise(a.body), normalise(b.body));
      });
    };

    await same("v1", "/api/services", v1List);
    for (const service of services) {
      await same("v1", `/api/services/${service}/operations`, v1List);
      await same("v1", `/api/operations?service=${service}`, v1List);
      for (const kind of ["server", "client", "producer", "consumer", "internal"]) {
        await same("v1", `/api/operations?service=${service}&spanKind=${kind}`, v1List);
      }
      for (const kind of ["", "server", "client", "producer", "consumer", "internal"]) {
        const path = `/api/v3/operations?service=${service}${kind ? `&span_kind=${kind}` : ""}`;
        await same("v3", path, (body) => ({ operations: sorted(body.operations) }));
      }
    }
    await same("v3", "/api/v3/services", (body) => ({ services: sorted(body.services) }));
    await same("v1", "/api/operations", (body) => body);
    for (const id of traceIds) {
      await same("v1", `/api/traces/${id}`, (body) => ({
        ...body,
        data: body.data.map(v1Trace),
      }));
      await same("v3", `/api/v3/traces/${id}`, (body) => otlpSpans(body.result?.resourceSpans));
    }

    const nowUs = Date.now() * 1000;
    const encode = (query: string) =>
      query.replaceAll(" ", "%20").replaceAll('"', "%22").replaceAll("{", "%7B")
        .replaceAll("}", "%7D");
    const searches = [
      "service=order",
      "service=order&operation=POST /orders",
      "service=user&operation=GET /users/:username",
      'service=user&tags={"http.response.status_code":"404"}',
      "service=consumer&tag=messaging.system:rabbitmq",
      'service=consumer&tags={"messaging.rabbitmq.outcome":"dead_lettered"}',
      "service=order&minDuration=1ms",
      "service=producer&lookback=1h&limit=1000",
      `service=order&start=${startUs}&end=${nowUs}&limit=1000`,
    ];
    for (const search of searches) {
      await same("v1 search", `/api/traces?${encode(search)}`, v1TraceIds);
    }
    // Below the number of matches, which traces a limit keeps is the store's choice (docs/jaeger.md).
    await same("v1 search", "/api/traces?service=consumer&limit=3", (body) => body.data.length);
    const min = new Date(startUs / 1000).toISOString();
    const max = new Date(nowUs / 1000).toISOString();
    for (const service of services) {
      const window = `query.start_time_min=${min}&query.start_time_max=${max}`;
      await same(
        "v3 search",
        `/api/v3/traces?query.service_name=${service}&${window}&query.num_traces=1000`,
        (body) => otlpSpans(body.result?.resourceSpans),
      );
    }
    // Jaeger's in-memory store counts every parent → child pair, within a service too.
    const dependencies = `/api/dependencies?endTs=${Math.round(nowUs / 1000)}&lookback=3600000`;
    await same("v1", dependencies, (body) => ({
      ...v1List(body),
      data: sorted(body.data).filter((edge: Json) => edge.parent !== edge.child),
    }));

    // Each difference docs/jaeger.md lists is still there, as it says.
    await t.step("documented: Jaeger's memory store finds no trace for error=true", async () => {
      const path = `/api/traces?${encode('service=consumer&tags={"error":"true"}')}`;
      const [a, b] = await Promise.all([get(ours, path), get(theirs, path)]);
      assert.ok(a.body.data.length > 0, "ours finds the failed messages");
      assert.deepEqual(b.body.data, []);
    });
    await t.step("documented: Jaeger's memory store counts calls within a service", async () => {
      const { body } = await get(theirs, dependencies);
      assert.ok(body.data.some((edge: Json) => edge.parent === edge.child));
      const { body: own } = await get(ours, dependencies);
      assert.ok(!own.data.some((edge: Json) => edge.parent === edge.child));
    });
    await t.step("documented: Jaeger's memory store needs query.num_traces", async () => {
      const path = `/api/v3/traces?query.service_name=order&query.start_time_min=${min}` +
        `&query.start_time_max=${max}`;
      const [a, b] = await Promise.all([get(ours, path), get(theirs, path)]);
      assert.equal(a.status, 200);
      assert.equal(b.status, 500);
    });
  } finally {
    const codes = [await messaging.stop(), await pair.stop()];
    await tracing.stop();
    await jaeger.close();
    assert.deepEqual(codes, [{ producer: 0, consumer: 0 }, { order: 0, user: 0 }]);
  }
});
