import assert from "node:assert/strict";
import { join } from "node:path";
import { context, SpanKind, SpanStatusCode, trace, TraceFlags } from "@opentelemetry/api";
import { openDatabase, summarize, type TracedDatabase } from "./sqlite.ts";
import { createTestTelemetry } from "./testing/telemetry.ts";

async function withDatabase(
  work: (db: TracedDatabase, spans: ReturnType<typeof createTestTelemetry>["exporter"]) => void,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sqlite_test_" });
  const { telemetry, exporter } = createTestTelemetry();
  const db = openDatabase(join(dir, "test.db"), { tracer: telemetry.tracer });
  try {
    db.exec("CREATE TABLE users (name TEXT PRIMARY KEY, secret TEXT NOT NULL) STRICT");
    work(db, exporter);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("openDatabase() makes a CLIENT span per query with db attributes", async () => {
  await withDatabase((db, exporter) => {
    assert.equal(
      db.run("INSERT INTO users (name, secret) VALUES (?, ?)", ["ann", "hunter2"]),
      1,
    );
    assert.deepEqual({
      ...db.get<object>("SELECT name, secret FROM users WHERE name = ?", ["ann"]),
    }, {
      name: "ann",
      secret: "hunter2",
    });
    assert.deepEqual(
      db.all<object>("SELECT name FROM users ORDER BY name").map((row) => ({ ...row })),
      [
        { name: "ann" },
      ],
    );
    assert.equal(db.run("UPDATE users SET secret = ? WHERE name = ?", ["x", "ann"]), 1);
    assert.equal(db.run("DELETE FROM users WHERE name = ?", ["ann"]), 1);
    assert.equal(db.get("SELECT name FROM users WHERE name = ?", ["ann"]), undefined);

    const spans = exporter.getFinishedSpans();
    assert.deepEqual(spans.map((span) => span.name), [
      "INSERT users",
      "SELECT users",
      "SELECT users",
      "UPDATE users",
      "DELETE users",
      "SELECT users",
    ]);
    for (const span of spans) {
      assert.equal(span.kind, SpanKind.CLIENT);
      assert.equal(span.status.code, SpanStatusCode.UNSET);
      assert.equal(span.attributes["db.system.name"], "sqlite");
      assert.equal(span.attributes["db.namespace"], "test.db");
      assert.equal(span.attributes["db.collection.name"], "users");
      assert.ok(!JSON.stringify(span.attributes).includes("hunter2"), span.name);
    }
    assert.deepEqual(spans[0]?.attributes, {
      "db.system.name": "sqlite",
      "db.namespace": "test.db",
      "db.operation.name": "INSERT",
      "db.collection.name": "users",
      "db.query.text": "INSERT INTO users (name, secret) VALUES (?, ?)",
    });
    assert.equal(spans[3]?.attributes["db.operation.name"], "UPDATE");
    assert.equal(
      spans[3]?.attributes["db.query.text"],
      "UPDATE users SET secret = ? WHERE name = ?",
    );
  });
});

Deno.test("openDatabase() marks a failing statement as ERROR and rethrows", async (t) => {
  await t.step("a constraint violation", async () => {
    await withDatabase((db, exporter) => {
      db.run("INSERT INTO users (name, secret) VALUES (?, ?)", ["ann", "a"]);
      assert.throws(
        () => db.run("INSERT INTO users (name, secret) VALUES (?, ?)", ["ann", "b"]),
        /UNIQUE constraint failed/,
      );
      const failed = exporter.getFinishedSpans()[1];
      assert.equal(failed?.name, "INSERT users");
      assert.equal(failed?.status.code, SpanStatusCode.ERROR);
      assert.match(failed?.status.message ?? "", /UNIQUE constraint failed/);
      assert.equal(failed?.attributes["error.type"], "Error");
      assert.equal(failed?.events.filter((event) => event.name === "exception").length, 1);
    });
  });
  await t.step("a statement that does not compile", async () => {
    await withDatabase((db, exporter) => {
      assert.throws(() => db.all("SELECT nope FROM missing"), /no such table/);
      const [span] = exporter.getFinishedSpans();
      assert.equal(span?.name, "SELECT missing");
      assert.equal(span?.status.code, SpanStatusCode.ERROR);
    });
  });
});

Deno.test("openDatabase().ping() answers while open and not after close", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sqlite_test_" });
  try {
    const { telemetry, exporter } = createTestTelemetry();
    const db = openDatabase(join(dir, "ping.db"), { tracer: telemetry.tracer });
    assert.equal(db.ping(), true);
    db.close();
    assert.equal(db.ping(), false);
    db.close();
    assert.equal(exporter.getFinishedSpans().length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openDatabase() keeps data across reopening the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sqlite_test_" });
  try {
    const { telemetry } = createTestTelemetry();
    const path = join(dir, "keep.db");
    const first = openDatabase(path, { tracer: telemetry.tracer });
    first.exec("CREATE TABLE t (v INTEGER)");
    first.run("INSERT INTO t (v) VALUES (?)", [7]);
    first.close();
    const second = openDatabase(path, { tracer: telemetry.tracer });
    try {
      assert.deepEqual(second.all<object>("SELECT v FROM t").map((row) => ({ ...row })), [{
        v: 7,
      }]);
    } finally {
      second.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("summarize() finds the operation and table of a statement", async (t) => {
  const cases: [string, { operation: string; collection?: string }][] = [
    ["SELECT a FROM users WHERE x = ?", { operation: "SELECT", collection: "users" }],
    ["select count(*) from orders", { operation: "SELECT", collection: "orders" }],
    ['SELECT * FROM "quoted" LIMIT 1', { operation: "SELECT", collection: "quoted" }],
    ["  \n INSERT INTO orders (a)\n VALUES (?)", { operation: "INSERT", collection: "orders" }],
    ["INSERT OR IGNORE INTO t VALUES (1)", { operation: "INSERT", collection: "t" }],
    ["REPLACE INTO kv VALUES (?, ?)", { operation: "REPLACE", collection: "kv" }],
    ["UPDATE users SET a = ?", { operation: "UPDATE", collection: "users" }],
    ["UPDATE OR REPLACE users SET a = ?", { operation: "UPDATE", collection: "users" }],
    ["DELETE FROM `users` WHERE 1", { operation: "DELETE", collection: "users" }],
    ["SELECT 1", { operation: "SELECT" }],
    ["PRAGMA journal_mode", { operation: "PRAGMA" }],
    ["CREATE TABLE x (a)", { operation: "CREATE" }],
    ["", { operation: "" }],
  ];
  for (const [sql, expected] of cases) {
    await t.step(JSON.stringify(sql), () => {
      assert.deepEqual(summarize(sql), expected);
    });
  }
});

Deno.test("openDatabase() skips the span of a query whose parent span is not sampled", async () => {
  await withDatabase((db, exporter) => {
    const unsampled = trace.wrapSpanContext({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.NONE,
    });
    const rows = context.with(
      trace.setSpan(context.active(), unsampled),
      () => db.all<{ n: number }>("SELECT COUNT(*) AS n FROM users"),
    );
    assert.equal(rows[0]?.n, 0);
    assert.deepEqual(exporter.getFinishedSpans().map((span) => span.name), []);
    db.all("SELECT COUNT(*) AS n FROM users");
    assert.deepEqual(exporter.getFinishedSpans().map((span) => span.name), ["SELECT users"]);
  });
});
