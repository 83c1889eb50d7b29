/**
 * Fault: the tracing service is killed (SIGKILL) while order and user export to it, and started
 * again on the same ports. Promise: orders keep being created (no request fails for telemetry),
 * the services' memory stays flat with their span queues bounded, and once order records again
 * and user record again within moments of each other, and from then on every order order traces
 * is whole (both order's and user's spans are stored) and every order it does not trace was shed
 * by its export gate and counted.
 * The last part needs user to record what order records as soon as both can export: every
 * service's export gate probes the collector and opens within about a second of its return.
 */
import assert from "node:assert/strict";
import type { ServiceProcess } from "../../lib/testing/service_process.ts";
import { requestJson } from "../../lib/testing/http.ts";
import { startOrderUserPair, telemetryEnv } from "../_fixture.ts";
import { reportFigures, residentBytes, startLoad } from "./_load.ts";
import { waitFor } from "../../lib/testing/wait.ts";
import { freePort, startTracingOnPorts } from "./_tracing.ts";

const USER = { username: "ada", email: "ada@example.com", full_name: "Ada Lovelace" };
const ORDER = { username: "ada", item: "engine", quantity: 1, unit_price: 9.99 };
/** Orders per phase: before the kill, during the outage. */
const PHASE = 300;
/** Consecutive traced orders that show order records again after the restart. */
const RECORDING_RUN = 20;
/** Orders sent once order records again, each of which must be traced and whole. */
const CHECKED = 100;
/**
 * Whether cut traces fail the test. True since the export gate probes the collector (#13, #14's
 * "recovery within about a second"): user records again within about a second of the restart,
 * not after its export backoff.
 */
const WHOLE_TRACES_ENFORCED = true;

/**
 * Growth of a service's resident memory across the outage that still counts as flat. The span
 * queues' bound is asserted exactly; RSS is a guard against gross growth only, since V8 grows its
 * heap in steps under load (71 MB seen here with the queues bounded).
 */
const FLAT_BYTES = 128 * 1024 * 1024;

/** Traces the service's export gate has shed so far. */
async function shedCount(service: ServiceProcess): Promise<number> {
  const health = await (await fetch(`${service.url}/health`)).json();
  return health.telemetry.spans.shed;
}

/** The services found in a stored trace (Jaeger v1 API), or none yet. */
async function servicesOf(queryUrl: string, traceId: string): Promise<Set<string>> {
  const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
  if (response.status !== 200) {
    await response.body?.cancel();
    return new Set();
  }
  const trace = (await response.json()).data?.[0];
  const processes = Object.values(trace?.processes ?? {}) as { serviceName: string }[];
  return new Set(processes.map((process) => process.serviceName));
}

Deno.test("orders keep flowing and traces come back whole when tracing is killed", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "faults-tracing-restart-" });
  const ports = { query: freePort(), otlp: freePort() };
  const queryUrl = `http://127.0.0.1:${ports.query}`;
  const startTracing = async () =>
    (await startTracingOnPorts({ dataDir, ports, env: { SAMPLING_DECISION_WAIT_MS: "200" } }))
      .process;
  let tracing: ServiceProcess = await startTracing();
  const pair = await startOrderUserPair({
    ...telemetryEnv(`http://127.0.0.1:${ports.otlp}`, "sdk"),
    OTEL_BSP_MAX_QUEUE_SIZE: "512",
    OTEL_EXPORTER_OTLP_TIMEOUT: "2000",
  });
  const load = startLoad(4, () => requestJson(`${pair.order.url}/orders`, { body: ORDER }));
  const answered = () => load.outcomes.flatMap((o) => o.answered ? [o.value] : []);
  try {
    assert.equal((await requestJson(`${pair.user.url}/users`, { body: USER })).status, 201);
    await waitFor("orders before the kill", () => answered().length >= PHASE, {
      timeoutMs: 30_000,
    });
    const rssBefore = await Promise.all([pair.order.pid, pair.user.pid].map(residentBytes));

    assert.notEqual(await tracing.stop("SIGKILL"), 0);
    const atKill = answered().length;
    await waitFor("orders during the outage", () => answered().length >= atKill + PHASE, {
      timeoutMs: 30_000,
    });
    const rssDuringOutage = await Promise.all([pair.order.pid, pair.user.pid].map(residentBytes));

    tracing = await startTracing();
    const atRestart = answered().length;
    // Recovered, as order's clients see it: a run of orders that are traced again.
    await waitFor("order recording again", () => {
      const since = answered().slice(atRestart);
      return since.length >= RECORDING_RUN &&
        since.slice(-RECORDING_RUN).every((a) => a.traceId !== undefined);
    }, { timeoutMs: 60_000 });
    await load.stop();
    const answers = answered();
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([201]), "every order created");
    assert.equal(answers.length, load.outcomes.length, "no request went unanswered");

    // Each service notices the collector's return on its own probe (at most a second apart), so
    // user may record again a little after order: until then order's traces lack user's spans.
    let ordersUntilWhole = 0;
    await waitFor("a whole trace again", async () => {
      const probe = await requestJson(`${pair.order.url}/orders`, { body: ORDER });
      ordersUntilWhole++;
      if (probe.traceId === undefined) return false;
      let found = new Set<string>();
      await waitFor("the probe order's trace", async () => {
        found = await servicesOf(queryUrl, probe.traceId!);
        return found.has("order");
      }, { timeoutMs: 5_000 }).catch(() => {});
      return found.has("user");
    }, { timeoutMs: 20_000 });
    const shedBefore = await shedCount(pair.order);
    const after = startLoad(4, () => requestJson(`${pair.order.url}/orders`, { body: ORDER }));
    await waitFor("orders after recovery", () => after.answered() >= CHECKED, {
      timeoutMs: 30_000,
    });
    await after.stop();
    const checked = after.outcomes.flatMap((o) => o.answered ? [o.value] : []);
    assert.deepEqual(new Set(checked.map((a) => a.status)), new Set([201]));

    const spanStats: Record<string, unknown> = {};
    for (const service of [pair.order, pair.user]) {
      const health = await (await fetch(`${service.url}/health`)).json();
      const spans = health.telemetry.spans;
      assert.ok(spans.queued <= spans.queueCapacity, `${service.name} queue ${spans.queued}`);
      spanStats[`${service.name}_spans`] = { dropped: spans.dropped, shed: spans.shed };
    }
    const rssAfter = await Promise.all([pair.order.pid, pair.user.pid].map(residentBytes));
    rssAfter.forEach((bytes, i) =>
      assert.ok(bytes - rssBefore[i]! < FLAT_BYTES, `RSS ${rssBefore[i]} -> ${bytes}`)
    );

    const untraced = checked.filter((a) => a.traceId === undefined).length;
    const traceIds = checked.flatMap((a) => a.traceId === undefined ? [] : [a.traceId]);
    const cut: string[] = [];
    await waitFor("the traces after recovery stored whole", async () => {
      const services = await Promise.all(traceIds.map((id) => servicesOf(queryUrl, id)));
      cut.length = 0;
      services.forEach((found, i) => {
        if (!(found.has("order") && found.has("user"))) cut.push(traceIds[i]!);
      });
      return cut.length === 0;
    }, { timeoutMs: 20_000 }).catch(() => {});
    const mb = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;
    reportFigures("tracing_restart", {
      orders: answers.length + checked.length,
      orders_during_outage: atRestart - atKill,
      orders_until_recording_again: answers.length - atRestart,
      rss_mb_order: [rssBefore[0]!, rssDuringOutage[0]!, rssAfter[0]!].map(mb),
      rss_mb_user: [rssBefore[1]!, rssDuringOutage[1]!, rssAfter[1]!].map(mb),
      orders_until_whole: ordersUntilWhole,
      orders_after_recovery: checked.length,
      untraced_after_recovery: untraced,
      cut_after_recovery: cut.length,
      ...spanStats,
    });
    // Order may still shed a trace after recovery when its queue fills faster than a busy machine
    // exports it (by design); each such order must be one the gate counted, none lost silently.
    const shedAfter = (await shedCount(pair.order)) - shedBefore;
    assert.ok(
      untraced <= shedAfter,
      `${untraced} of ${checked.length} orders after recovery untraced, ${shedAfter} shed`,
    );
    await t.step({
      name: "every trace after recovery holds order's and user's spans",
      ignore: !WHOLE_TRACES_ENFORCED,
      fn: () => assert.deepEqual(cut, [], `${cut.length} of ${traceIds.length} traces cut`),
    });
  } finally {
    await load.stop();
    await pair.stop();
    await tracing.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
