import assert from "node:assert/strict";
import { context, SpanKind, SpanStatusCode, trace, TraceFlags } from "@opentelemetry/api";
import { DatabaseUnavailableError } from "./database_error.ts";
import { createLogger } from "./log.ts";
import { PostgresDatabase } from "./postgres.ts";
import { createTestDatabase, type TestDatabase } from "./testing/postgres.ts";
import { createTestTelemetry } from "./testing/telemetry.ts";

const logger = createLogger({ service: "test", level: "error" });

async function withPostgres(
  label: string,
  work: (
    db: PostgresDatabase,
    exporter: ReturnType<typeof createTestTelemetry>["exporter"],
    testDb: TestDatabase,
  ) => Promise<void>,
  options: { statementTimeoutMs?: number } = {},
): Promise<void> {
  const testDb = await createTestDatabase(label);
  const { telemetry, exporter } = createTestTelemetry();
  const db = new PostgresDatabase(testDb.url, {
    tracer: telemetry.tracer,
    logger,
    poolSize: 2,
    statementTimeoutMs: options.statementTimeoutMs ?? 5000,
    applicationName: "pgtest",
  });
  try {
    await testDb.query("CREATE TABLE users (name TEXT PRIMARY KEY, secret TEXT NOT NULL)");
    await work(db, exporter, testDb);
  } finally {
    await db.close();
    await testDb.drop();
  }
}

Deno.test("PostgresDatabase makes a CLIENT span per query with db and server attributes", async () => {
  await withPostgres("spans", async (db, exporter, testDb) => {
    assert.equal(
      await db.run("INSERT INTO users (name, secret) VALUES ($1, $2)", ["ann", "pw"]),
      1,
    );
    assert.deepEqual(await db.first("SELECT name FROM users WHERE name = $1", ["ann"]), {
      name: "ann",
    });
    assert.deepEqual(await db.query("SELECT name FROM users ORDER BY name"), [{ name: "ann" }]);
    assert.equal(await db.run("DELETE FROM users WHERE name = $1", ["ann"]), 1);

    const spans = exporter.getFinishedSpans();
    assert.deepEqual(spans.map((span) => span.name), [
      "INSERT users",
      "SELECT users",
      "SELECT users",
      "DELETE users",
    ]);
    for (const span of spans) {
      assert.equal(span.kind, SpanKind.CLIENT);
      assert.equal(span.status.code, SpanStatusCode.UNSET);
      assert.ok(!JSON.stringify(span.attributes).includes("pw"), span.name);
    }
    assert.deepEqual(spans[0]?.attributes, {
      "db.system.name": "postgresql",
      "db.namespace": testDb.name,
      "db.operation.name": "INSERT",
      "db.collection.name": "users",
      "db.query.text": "INSERT INTO users (name, secret) VALUES ($1, $2)",
      "server.address": "127.0.0.1",
      "server.port": 5432,
    });
  });
});

Deno.test("PostgresDatabase skips the span of a query whose parent span is not sampled", async () => {
  await withPostgres("unsampled", async (db, exporter) => {
    const unsampled = trace.wrapSpanContext({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.NONE,
    });
    const rows = await context.with(
      trace.setSpan(context.active(), unsampled),
      () => db.query<{ n: string }>("SELECT COUNT(*) AS n FROM users"),
    );
    assert.equal(rows[0]?.n, "0");
    assert.deepEqual(exporter.getFinishedSpans().map((span) => span.name), []);
    await db.query("SELECT COUNT(*) AS n FROM users");
    assert.deepEqual(exporter.getFinishedSpans().map((span) => span.name), ["SELECT users"]);
  });
});

Deno.test("PostgresDatabase marks a failing statement as ERROR with its SQLSTATE", async () => {
  await withPostgres("failing", async (db, exporter) => {
    await db.run("INSERT INTO users (name, secret) VALUES ($1, $2)", ["ann", "a"]);
    await assert.rejects(
      db.run("INSERT INTO users (name, secret) VALUES ($1, $2)", ["ann", "b"]),
      (error: Error & { code?: string }) => error.code === "23505",
    );
    const failed = exporter.getFinishedSpans()[1];
    assert.equal(failed?.name, "INSERT users");
    assert.equal(failed?.status.code, SpanStatusCode.ERROR);
    assert.equal(failed?.attributes["db.response.status_code"], "23505");
    assert.equal(failed?.attributes["error.type"], "23505");
    assert.equal(failed?.events.filter((event) => event.name === "exception").length, 1);
  });
});

Deno.test("PostgresDatabase turns a statement timeout into a 'timeout' DatabaseUnavailableError", async () => {
  await withPostgres("timeout", async (db, exporter, testDb) => {
    // The test holds a lock the query needs, so the query waits until its timeout, not a clock's.
    const holder = await testDb.connect();
    try {
      await holder.query("BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
      await assert.rejects(db.query("SELECT name FROM users"), (error) => {
        assert.ok(error instanceof DatabaseUnavailableError);
        assert.equal(error.failure, "timeout");
        assert.match(error.message, /statement timeout/);
        return true;
      });
      await holder.query("ROLLBACK");
    } finally {
      holder.release();
    }
    const [span] = exporter.getFinishedSpans();
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.attributes["db.response.status_code"], "57014");
  }, { statementTimeoutMs: 200 });
});

Deno.test("PostgresDatabase answers 'unavailable' while the database is down and recovers", async () => {
  await withPostgres("outage", async (db, exporter, testDb) => {
    assert.equal(await db.ping(), true);
    await testDb.goDown(["pgtest"]);
    await assert.rejects(db.query("SELECT name FROM users"), (error) => {
      assert.ok(error instanceof DatabaseUnavailableError);
      assert.equal(error.failure, "unavailable");
      assert.match(error.message, /^PostgreSQL at postgres:\/\/.* is unavailable: /);
      return true;
    });
    const reason = await db.ping();
    assert.equal(typeof reason, "string");
    assert.match(String(reason), /not currently accepting connections|terminat|Connection/);
    assert.equal(exporter.getFinishedSpans()[0]?.status.code, SpanStatusCode.ERROR);

    await testDb.comeBack();
    assert.deepEqual(await db.query("SELECT name FROM users"), []);
    assert.equal(await db.ping(), true);
  }, { statementTimeoutMs: 2000 });
});

Deno.test("PostgresDatabase.migrate() applies each migration once when replicas start at once", async () => {
  await withPostgres("migrate", async (_db, _exporter, testDb) => {
    const { telemetry } = createTestTelemetry();
    const replicas = Array.from({ length: 4 }, () =>
      new PostgresDatabase(testDb.url, {
        tracer: telemetry.tracer,
        logger,
        poolSize: 1,
        statementTimeoutMs: 5000,
      }));
    const migrations = [
      { version: 1, sql: "CREATE TABLE IF NOT EXISTS items (id INT PRIMARY KEY)" },
      // Not idempotent: a second run would fail, so it passes only if it runs once.
      { version: 2, sql: "ALTER TABLE items ADD COLUMN label TEXT" },
    ];
    try {
      await Promise.all(replicas.map((replica) => replica.migrate("items", migrations)));
      // A later start with one more migration applies only that one.
      await replicas[0]!.migrate("items", [...migrations, {
        version: 3,
        sql: "CREATE INDEX items_by_label ON items (label)",
      }]);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
    const applied = await testDb.query<{ version: number }>(
      "SELECT version FROM schema_migrations WHERE name = 'items' ORDER BY version",
    );
    assert.deepEqual(applied.map((row) => row.version), [1, 2, 3]);
  });
});

Deno.test("PostgresDatabase masks the password of its URL", () => {
  const { telemetry } = createTestTelemetry();
  const db = new PostgresDatabase("postgres://app:s3cret@db.example:6543/shop", {
    tracer: telemetry.tracer,
    logger,
    poolSize: 1,
    statementTimeoutMs: 1000,
  });
  assert.equal(db.displayUrl, "postgres://app:***@db.example:6543/shop");
  return db.close();
});

Deno.test("PostgresDatabase fails with 'unavailable' when nothing answers", async () => {
  const { telemetry } = createTestTelemetry();
  // Port 1 on loopback: connection refused at once.
  const db = new PostgresDatabase("postgres://app:s3cret@127.0.0.1:1/shop", {
    tracer: telemetry.tracer,
    logger,
    poolSize: 1,
    statementTimeoutMs: 1000,
  });
  try {
    await assert.rejects(db.migrate("x", []), (error) => {
      assert.ok(error instanceof DatabaseUnavailableError);
      assert.ok(!error.message.includes("s3cret"), error.message);
      assert.match(error.message, /127\.0\.0\.1:1\/shop is unavailable/);
      return true;
    });
  } finally {
    await db.close();
  }
});
