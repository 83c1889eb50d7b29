import assert from "node:assert/strict";
import { join } from "node:path";
import { SpanStatusCode } from "@opentelemetry/api";
import type { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import type { Hono } from "hono";
import { createLogger } from "../lib/log.ts";
import { openDatabase } from "../lib/sqlite.ts";
import { jsonInit } from "../lib/testing/http.ts";
import { createTestTelemetry } from "../lib/testing/telemetry.ts";
import type { User, UserDirectory } from "../user/client.ts";
import { createApp } from "./app.ts";
import { createOrderStore } from "./store.ts";

const ANN: User = {
  username: "ann",
  email: "ann@example.com",
  full_name: "Ann",
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
};

/** The order app over SQLite and a user directory that knows ann and counts its lookups. */
async function withApp(
  work: (app: Hono, exporter: InMemorySpanExporter, lookups: () => number) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "order_faults_test_" });
  const { telemetry, exporter } = createTestTelemetry();
  const db = openDatabase(join(dir, "orders.db"), { tracer: telemetry.tracer });
  let lookups = 0;
  const users: UserDirectory = {
    find: (username) => {
      lookups++;
      return Promise.resolve(username === "ann" ? ANN : undefined);
    },
    reachable: () => Promise.resolve(true),
  };
  try {
    const app = createApp({
      store: createOrderStore(db),
      users,
      logger: createLogger({ service: "order", write: () => {} }),
      telemetry,
      maxBodyBytes: 1024,
    });
    await work(app, exporter, () => lookups);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const ORDER = { username: "ann", item: "tea", quantity: 1, unit_price: 2.5 };

function serverSpan(exporter: InMemorySpanExporter) {
  const span = exporter.getFinishedSpans().find((s) => s.name === "POST /orders");
  assert.ok(span, "a POST /orders span");
  return span;
}

Deno.test("GET /faults lists order's faults", async () => {
  await withApp(async (app) => {
    const body = await (await app.request("/faults")).json();
    assert.deepEqual(body.faults.map((f: { name: string }) => f.name), [
      "slow_user_call",
      "user_errors",
    ]);
  });
});

Deno.test("user_errors fails the user call and the order with 503, marking the span", async () => {
  await withApp(async (app, exporter, lookups) => {
    const on = await app.request(
      "/faults/user_errors",
      jsonInit("PUT", { enabled: true, rate: 1 }),
    );
    assert.deepEqual((await on.json()).state, { enabled: true, rate: 1 });
    const response = await app.request("/orders", jsonInit("POST", ORDER));
    assert.equal(response.status, 503);
    assert.equal((await response.json()).error.code, "user_service_unavailable");
    assert.equal(lookups(), 0, "the call never reached user");
    const span = serverSpan(exporter);
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes["fault.name"], "user_errors");
    assert.deepEqual(span.events.find((e) => e.name === "fault")?.attributes, {
      "fault.name": "user_errors",
      "fault.rate": 1,
    });
  });
});

Deno.test("slow_user_call waits before the user call and marks the server span", async () => {
  await withApp(async (app, exporter, lookups) => {
    const change = { enabled: true, delay_ms: 50, jitter_ms: 0 };
    await (await app.request("/faults/slow_user_call", jsonInit("PUT", change))).body?.cancel();
    const response = await app.request("/orders", jsonInit("POST", ORDER));
    assert.equal(response.status, 201);
    await response.body?.cancel();
    assert.equal(lookups(), 1);
    const span = serverSpan(exporter);
    assert.equal(span.attributes["fault.name"], "slow_user_call");
    const ms = span.duration[0] * 1000 + span.duration[1] / 1e6;
    assert.ok(ms >= 50, `the request waited: ${ms} ms`);
  });
});
