/**
 * The user routes on a real PostgreSQL when it fails: a statement timeout, a connection killed
 * mid-statement, an outage and its end. Each test has a database of its own.
 */
import assert from "node:assert/strict";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import type { Hono } from "hono";
import { createLogger } from "../lib/log.ts";
import { PostgresDatabase } from "../lib/postgres.ts";
import { jsonInit } from "../lib/testing/http.ts";
import { createTestDatabase, type TestDatabase } from "../lib/testing/postgres.ts";
import { createTestTelemetry } from "../lib/testing/telemetry.ts";
import { waitFor } from "../lib/testing/wait.ts";
import { createApp } from "./app.ts";
import { createPostgresUserStore } from "./postgres_store.ts";

interface Fixture {
  app: Hono;
  exporter: InMemorySpanExporter;
  testDb: TestDatabase;
}

async function withApp(
  label: string,
  statementTimeoutMs: number,
  work: (fixture: Fixture) => Promise<void>,
): Promise<void> {
  const testDb = await createTestDatabase(label);
  const { telemetry, exporter } = createTestTelemetry();
  const logger = createLogger({ service: "user", write: () => {} });
  const db = new PostgresDatabase(testDb.url, {
    tracer: telemetry.tracer,
    logger,
    poolSize: 2,
    statementTimeoutMs,
    applicationName: "user",
  });
  try {
    const app = createApp({
      store: await createPostgresUserStore(db),
      logger,
      telemetry,
      maxBodyBytes: 1024,
      readiness: { postgresql: () => db.ping() },
    });
    await work({ app, exporter, testDb });
  } finally {
    await db.close();
    await testDb.drop();
  }
}

const ANN = { username: "ann", email: "ann@example.com", full_name: "Ann Example" };

function post(app: Hono, body: unknown = ANN): Promise<Response> {
  return Promise.resolve(app.request("/users", jsonInit("POST", body)));
}

async function expectError(response: Response, status: number, code: string): Promise<string> {
  const body = await response.json();
  assert.equal(response.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  return body.error.message;
}

/** Holds an exclusive lock on users, so statements on it wait (for the test, not for a clock). */
async function lockUsers(testDb: TestDatabase) {
  const holder = await testDb.connect();
  await holder.query("BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
  return {
    release: async () => {
      await holder.query("ROLLBACK").catch(() => {});
      holder.release();
    },
  };
}

Deno.test("POST /users answers 503 database_timeout when the statement times out", async () => {
  await withApp("user_timeout", 300, async ({ app, exporter, testDb }) => {
    const lock = await lockUsers(testDb);
    let response: Response;
    try {
      response = await post(app);
    } finally {
      await lock.release();
    }
    const message = await expectError(response, 503, "database_timeout");
    assert.match(message, /statement timeout/);
    assert.equal(response.headers.get("retry-after"), "1");

    const spans = exporter.getFinishedSpans();
    const insert = spans.find((span) => span.name === "INSERT users");
    const server = spans.find((span) => span.kind === SpanKind.SERVER);
    assert.equal(insert?.status.code, SpanStatusCode.ERROR);
    assert.equal(insert?.attributes["db.response.status_code"], "57014");
    assert.equal(server?.status.code, SpanStatusCode.ERROR);
    assert.equal(insert?.parentSpanContext?.spanId, server?.spanContext().spanId);
    assert.deepEqual(await testDb.query("SELECT username FROM users"), [], "nothing committed");
  });
});

Deno.test("POST /users never answers 201 when its connection dies before the commit", async () => {
  await withApp("user_killed", 30_000, async ({ app, testDb }) => {
    const lock = await lockUsers(testDb);
    let response: Response;
    try {
      const pending = post(app);
      // Wait until the INSERT is running (blocked on the lock), then kill its session.
      const pids = await waitFor("the INSERT to wait on the lock", async () => {
        const rows = await testDb.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'user'
              AND query LIKE 'INSERT INTO users%'`,
        );
        return rows.length > 0 && rows.map((row) => row.pid);
      }, { timeoutMs: 30_000, intervalMs: 10 });
      await testDb.terminate(pids);
      response = await pending;
    } finally {
      await lock.release();
    }
    await expectError(response, 503, "database_unavailable");
    assert.deepEqual(await testDb.query("SELECT username FROM users"), [], "nothing committed");
    // The pool replaced the dead connection: the same request now succeeds and is stored.
    assert.equal((await post(app)).status, 201);
    assert.equal((await testDb.query("SELECT username FROM users")).length, 1);
  });
});

Deno.test("GET /users answers 503 while PostgreSQL is down and recovers without a restart", async () => {
  await withApp("user_outage", 5000, async ({ app, testDb }) => {
    assert.equal((await post(app)).status, 201);
    await testDb.goDown(["user"]);
    try {
      const message = await expectError(
        await app.request("/users/ann"),
        503,
        "database_unavailable",
      );
      assert.match(message, /^PostgreSQL at postgres:\/\/.+ is unavailable: /);
      const ready = await app.request("/ready");
      assert.equal(ready.status, 503);
      assert.equal((await ready.json()).checks.postgresql.ok, false);
    } finally {
      await testDb.comeBack();
    }
    assert.equal((await app.request("/users/ann")).status, 200);
    assert.equal((await app.request("/ready")).status, 200);
  });
});

Deno.test("slow_query and pool_of_one act on PostgreSQL's query spans as on SQLite's", async () => {
  await withApp("faults", 5000, async ({ app, exporter }) => {
    const put = (name: string, body: unknown) =>
      app.request(`/faults/${name}`, jsonInit("PUT", body));
    await (await put("slow_query", { enabled: true, delay_ms: 40, jitter_ms: 0 })).body?.cancel();
    await (await put("pool_of_one", { enabled: true })).body?.cancel();
    exporter.reset();
    const responses = await Promise.all(
      ["ann", "bob"].map((name) => app.request(`/users/${name}`)),
    );
    assert.deepEqual(responses.map((r) => r.status), [404, 404]);
    await Promise.all(responses.map((r) => r.body?.cancel()));
    const queries = exporter.getFinishedSpans().filter((s) => s.name === "SELECT users");
    assert.equal(queries.length, 2);
    for (const query of queries) {
      assert.equal(query.attributes["db.system.name"], "postgresql");
      assert.equal(query.attributes["fault.name"], "slow_query");
      const ms = query.duration[0] * 1000 + query.duration[1] / 1e6;
      assert.ok(ms >= 40, `the wait is inside the span: ${ms} ms`);
    }
    const waits = queries.map((q) =>
      Number(
        q.events.find((e) => e.attributes?.["fault.name"] === "pool_of_one")
          ?.attributes?.["fault.wait_ms"],
      )
    ).sort((a, b) => a - b);
    assert.ok(waits[1]! >= 40, `the second call waited for the first: ${waits}`);
  });
});
