/**
 * Telemetry never takes a service down: with a dead collector requests still succeed and the span
 * queue stays bounded with its drops counted; on SIGTERM under load every accepted request is
 * answered and stored, and the spans are flushed before exit.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startOtlpSink } from "../lib/testing/otlp_sink.ts";
import { isShuttingDown, requestJson } from "../lib/testing/http.ts";
import { waitFor } from "../lib/testing/wait.ts";
import { startOrderUserPair, telemetryEnv } from "./_fixture.ts";

const ORDER = { username: "grace", item: "compiler", quantity: 1, unit_price: 3.5 };
const USER = { username: "grace", email: "grace@example.com", full_name: "Grace Hopper" };

/** Runs `count` calls of `work`, `concurrency` at a time. */
async function inParallel<T>(count: number, concurrency: number, work: () => Promise<T>) {
  const results: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      next++;
      results.push(await work());
    }
  }));
  return results;
}

Deno.test("order and user keep answering while the OTLP collector hangs", async () => {
  // A collector that accepts connections and never answers: exports hang until their timeout.
  const blackHole = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of blackHole) held.push(conn);
  })();
  const pair = await startOrderUserPair({
    ...telemetryEnv(`http://127.0.0.1:${blackHole.addr.port}`, "sdk"),
    OTEL_BSP_MAX_QUEUE_SIZE: "64",
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "16",
    OTEL_EXPORTER_OTLP_TIMEOUT: "2000",
    SHUTDOWN_TIMEOUT_MS: "3000",
  });
  try {
    assert.equal((await requestJson(`${pair.user.url}/users`, { body: USER })).status, 201);
    const statuses = await inParallel(
      300,
      8,
      async () => (await requestJson(`${pair.order.url}/orders`, { body: ORDER })).status,
    );
    assert.deepEqual(new Set(statuses), new Set([201]), "every order was created");
    assert.equal(statuses.length, 300);

    const health = await (await fetch(`${pair.order.url}/health`)).json();
    const spans = health.telemetry.spans;
    assert.equal(spans.queueCapacity, 64);
    assert.ok(spans.queued <= 64, `queue stays bounded, holds ${spans.queued}`);
    assert.ok(spans.dropped > 0, "overflowing spans are counted as dropped");
    // The first overflow shuts the export gate: later orders' traces are not recorded, which
    // costs less than recording spans only to drop them, and is counted too. Of a shed trace
    // only the call to user is recorded (a bridge, so user's spans keep a parent), at most one.
    assert.ok(spans.shed > 0, `traces shed: ${JSON.stringify(spans)}`);
    assert.ok(spans.shedBridged <= spans.shed, `bridges ${spans.shedBridged} <= ${spans.shed}`);
    assert.equal(spans.exported, 0);

    const metrics = await (await fetch(`${pair.order.url}/metrics`)).text();
    assert.match(metrics, /otel_sdk_spans_total\{outcome="dropped"\} [1-9]/);
    assert.match(metrics, /^otel_sdk_spans_shed_total [1-9]/m);
  } finally {
    const codes = await pair.stop();
    blackHole.close();
    for (const conn of held) conn.close();
    await accepting.catch(() => {});
    assert.deepEqual(codes, { order: 0, user: 0 }, "shutdown stays graceful");
  }
});

Deno.test("SIGTERM to order under load answers every accepted request and flushes its spans", async () => {
  const sink = startOtlpSink();
  const pair = await startOrderUserPair(telemetryEnv(sink.endpoint, "sdk"));
  const dataDir = pair.dataDir;
  try {
    assert.equal((await requestJson(`${pair.user.url}/users`, { body: USER })).status, 201);
    const answered: { status: number; traceId?: string }[] = [];
    let refused = 0;
    let stopping = false;
    const load = Promise.all(Array.from({ length: 8 }, async () => {
      // Each worker keeps sending until the server stops accepting.
      while (true) {
        try {
          const answer = await requestJson(`${pair.order.url}/orders`, { body: ORDER });
          // Arrived while order drained: refused like a closed port.
          if (isShuttingDown(answer)) throw new Error("503 shutting_down");
          answered.push(answer);
        } catch {
          refused++;
          if (stopping) return;
        }
      }
    }));
    await waitFor("150 answered orders", () => answered.length >= 150, { intervalMs: 10 });
    stopping = true;
    const exitCode = await pair.order.stop("SIGTERM");
    await load;

    assert.equal(exitCode, 0);
    assert.ok(refused > 0, "requests after the stop are refused, not accepted");
    assert.deepEqual(new Set(answered.map((a) => a.status)), new Set([201]));

    const db = new DatabaseSync(join(dataDir, "orders.db"), { readOnly: true });
    const stored = db.prepare("SELECT COUNT(*) AS n FROM orders").get() as { n: number };
    db.close();
    assert.equal(stored.n, answered.length, "every answered order is stored, and only those");

    const traceIds = new Set(answered.map((a) => a.traceId));
    const exported = new Set(
      sink.spans.filter((s) => s.service === "order" && s.name === "POST /orders")
        .map((s) => s.traceId),
    );
    const missing = [...traceIds].filter((id) => !exported.has(id!));
    assert.deepEqual(missing, [], "the SERVER span of every answered request was flushed");
  } finally {
    await pair.stop();
    await sink.close();
  }
});
