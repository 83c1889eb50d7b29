import assert from "node:assert/strict";
import { healthRoutes, type ReadinessCheck } from "./health.ts";
import type { Telemetry } from "../telemetry/setup.ts";
import { createTestTelemetry } from "../testing/telemetry.ts";
import { VERSION } from "../version.ts";

function routes(readiness?: Record<string, ReadinessCheck>, telemetry?: Telemetry) {
  return healthRoutes({
    service: "svc",
    telemetry: telemetry ?? createTestTelemetry().telemetry,
    readiness,
  });
}

Deno.test("GET /health answers 200 without checking dependencies", async () => {
  let checked = false;
  const app = routes({
    db: () => {
      checked = true;
      return false;
    },
  });
  const response = await app.request("/health");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("cache-control"), "no-store");
  const body = await response.json();
  assert.equal(body.status, "ok");
  assert.equal(body.service, "svc");
  assert.equal(body.version, VERSION);
  assert.equal(typeof body.uptime_seconds, "number");
  assert.deepEqual(body.telemetry, { mode: "sdk", spans: null, logs: null });
  assert.equal(checked, false);
});

Deno.test("GET /health shows the span pipeline counters", async () => {
  const { telemetry } = createTestTelemetry();
  const stats = {
    exported: 5,
    exportFailed: 1,
    dropped: 2,
    queued: 3,
    queueCapacity: 10,
    shed: 4,
    shedBridged: 0,
    exportProbes: 0,
  };
  const response = await routes(undefined, { ...telemetry, stats: () => stats }).request("/health");
  assert.deepEqual((await response.json()).telemetry.spans, stats);
});

Deno.test("GET /health shows the log record pipeline counters", async () => {
  const { telemetry } = createTestTelemetry();
  const stats = {
    exported: 7,
    exportFailed: 0,
    dropped: 1,
    queued: 2,
    queueCapacity: 8,
    shed: 3,
    shedBridged: 0,
    exportProbes: 0,
  };
  const response = await routes(undefined, { ...telemetry, logStats: () => stats })
    .request("/health");
  assert.deepEqual((await response.json()).telemetry.logs, stats);
});

Deno.test("GET /ready answers 200 when every check passes", async () => {
  const app = routes({ db: () => true, user: () => Promise.resolve(true) });
  const response = await app.request("/ready");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.deepEqual(await response.json(), {
    status: "ready",
    service: "svc",
    checks: { db: { ok: true }, user: { ok: true } },
  });
});

Deno.test("GET /ready answers 503 with a reason per failing check", async () => {
  const app = routes({
    db: () => true,
    broker: () => false,
    user: () => Promise.resolve("connection refused"),
    cache: () => {
      throw new Error("cache exploded");
    },
    search: () => Promise.reject(new Error("search rejected")),
  });
  const response = await app.request("/ready");
  assert.equal(response.status, 503);
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.deepEqual(await response.json(), {
    status: "not_ready",
    service: "svc",
    checks: {
      db: { ok: true },
      broker: { ok: false, reason: "not ready" },
      user: { ok: false, reason: "connection refused" },
      cache: { ok: false, reason: "cache exploded" },
      search: { ok: false, reason: "search rejected" },
    },
  });
});

Deno.test("GET /ready answers 503 at the check timeout when a check hangs", async () => {
  const app = routes({ stuck: () => new Promise<boolean>(() => {}) });
  const response = await app.request("/ready");
  assert.equal(response.status, 503);
  const body = await response.json();
  assert.deepEqual(body.checks.stuck, { ok: false, reason: "no answer within 2000 ms" });
});

Deno.test("GET /ready without checks is ready", async () => {
  const response = await routes().request("/ready");
  assert.equal(response.status, 200);
  assert.deepEqual((await response.json()).checks, {});
});
