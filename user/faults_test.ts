import assert from "node:assert/strict";
import { join } from "node:path";
import type { InMemorySpanExporter, ReadableSpan } from "@opentelemetry/sdk-trace";
import type { Hono } from "hono";
import { FaultRegistry } from "../lib/faults/registry.ts";
import { createLogger } from "../lib/log.ts";
import { openDatabase } from "../lib/sqlite.ts";
import { jsonInit } from "../lib/testing/http.ts";
import { createTestTelemetry } from "../lib/testing/telemetry.ts";
import { createApp } from "./app.ts";
import { USER_FAULTS } from "./faults.ts";
import { createUserStore } from "./store.ts";

async function withApp(
  options: { token?: string },
  work: (app: Hono, exporter: InMemorySpanExporter) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "user_faults_test_" });
  const { telemetry, exporter } = createTestTelemetry();
  const db = openDatabase(join(dir, "users.db"), { tracer: telemetry.tracer });
  const logger = createLogger({ service: "user", write: () => {} });
  try {
    const app = createApp({
      store: createUserStore(db),
      logger,
      telemetry,
      maxBodyBytes: 1024,
      faults: new FaultRegistry(USER_FAULTS, { logger }),
      faultsToken: options.token,
    });
    await work(app, exporter);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const put = (body: unknown, headers: Record<string, string> = {}) => {
  const init = jsonInit("PUT", body);
  return { ...init, headers: { ...init.headers as Record<string, string>, ...headers } };
};

Deno.test("GET /faults lists the user service's faults, all off", async () => {
  await withApp({}, async (app) => {
    const response = await app.request("/faults");
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.service, "user");
    assert.deepEqual(body.faults.map((f: { name: string; kind: string }) => [f.name, f.kind]), [
      ["slow_query", "delay"],
      ["pool_of_one", "switch"],
    ]);
    assert.deepEqual(body.faults[0].state, { enabled: false, delay_ms: 300, jitter_ms: 30 });
  });
});

Deno.test("PUT /faults/{name} switches a fault and answers its new state", async (t) => {
  await withApp({ token: "s3cret" }, async (app) => {
    const auth = { authorization: "Bearer s3cret" };
    await t.step("without the token: 401", async () => {
      const response = await app.request("/faults/slow_query", put({ enabled: true }));
      assert.equal(response.status, 401);
      assert.equal((await response.json()).error.code, "unauthorized");
    });
    await t.step("with it: the new state", async () => {
      const change = { enabled: true, delay_ms: 40, jitter_ms: 0 };
      const response = await app.request("/faults/slow_query", put(change, auth));
      assert.equal(response.status, 200);
      assert.deepEqual((await response.json()).state, change);
    });
    await t.step("an unknown fault: 404", async () => {
      const response = await app.request("/faults/slow_disk", put({ enabled: true }, auth));
      assert.equal(response.status, 404);
      const { error } = await response.json();
      assert.equal(error.code, "fault_not_found");
      assert.equal(
        error.message,
        'Unknown fault "slow_disk": expected one of slow_query, pool_of_one',
      );
    });
    await t.step("bad parameters: 400, state unchanged", async () => {
      const response = await app.request(
        "/faults/pool_of_one",
        put({ enabled: true, rate: 1 }, auth),
      );
      assert.equal(response.status, 400);
      assert.equal((await response.json()).error.code, "invalid_fault_change");
      const list = await (await app.request("/faults")).json();
      assert.equal(list.faults[1].state.enabled, false);
    });
    await t.step("switches are counted on /metrics", async () => {
      const metrics = await (await app.request("/metrics")).text();
      assert.match(metrics, /^faults_switched_total\{fault="slow_query",state="on"\} 1$/m);
      assert.match(metrics, /^fault_enabled\{fault="slow_query"\} 1$/m);
      assert.match(metrics, /^fault_enabled\{fault="pool_of_one"\} 0$/m);
    });
  });
});

function storeSpans(exporter: InMemorySpanExporter): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.name.endsWith(" users"));
}

function durationMs(span: ReadableSpan): number {
  return span.duration[0] * 1000 + span.duration[1] / 1e6;
}

Deno.test("slow_query makes the store span itself slow and marks it", async () => {
  await withApp({}, async (app, exporter) => {
    await app.request("/faults/slow_query", put({ enabled: true, delay_ms: 60, jitter_ms: 0 }));
    const response = await app.request("/users/nobody");
    assert.equal(response.status, 404);
    await response.body?.cancel();
    const [query] = storeSpans(exporter);
    assert.ok(query, "a SELECT users span");
    assert.equal(query.name, "SELECT users");
    assert.equal(query.attributes["fault.name"], "slow_query");
    assert.ok(durationMs(query) >= 60, `the wait is inside the span: ${durationMs(query)} ms`);
    const event = query.events.find((e) => e.name === "fault");
    assert.deepEqual(event?.attributes, {
      "fault.name": "slow_query",
      "fault.delay_ms": 60,
      "fault.jitter_ms": 0,
      "fault.applied_delay_ms": 60,
    });
    const server = exporter.getFinishedSpans().find((s) => s.name === "GET /users/:username");
    assert.equal(server?.attributes["fault.name"], undefined, "only the span it touches");
  });
});

Deno.test("pool_of_one lets one store call through at a time", async () => {
  await withApp({}, async (app, exporter) => {
    await app.request("/faults/slow_query", put({ enabled: true, delay_ms: 30, jitter_ms: 0 }));
    await app.request("/faults/pool_of_one", put({ enabled: true }));
    const responses = await Promise.all(
      ["ann", "bob", "cid"].map((name) => app.request(`/users/${name}`)),
    );
    await Promise.all(responses.map((response) => response.body?.cancel()));
    const spans = storeSpans(exporter);
    assert.equal(spans.length, 3);
    const waits = spans.map((span) =>
      Number(
        span.events.find((e) => e.attributes?.["fault.name"] === "pool_of_one")
          ?.attributes?.["fault.wait_ms"],
      )
    ).sort((a, b) => a - b);
    // Each waits for the ones before it, each of which sleeps at least 30 ms.
    assert.ok(waits[1]! >= 30 && waits[2]! >= 60, `waits ${waits}`);
  });
});
