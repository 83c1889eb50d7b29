import assert from "node:assert/strict";
import { join } from "node:path";
import { openDatabase } from "../lib/sqlite.ts";
import { createTestTelemetry } from "../lib/testing/telemetry.ts";
import { createOrderStore } from "./store.ts";

Deno.test("createOrderStore() moves prices stored as REAL to exact cents", async () => {
  const dir = await Deno.makeTempDir({ prefix: "order_store_test_" });
  const { telemetry } = createTestTelemetry();
  const db = openDatabase(join(dir, "orders.db"), { tracer: telemetry.tracer });
  try {
    // The table as versions before integer cents created it.
    db.exec(`CREATE TABLE orders (
      id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL, item TEXT NOT NULL,
      quantity INTEGER NOT NULL, unit_price REAL NOT NULL, total REAL NOT NULL,
      status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL) STRICT`);
    db.run(
      `INSERT INTO orders (username, item, quantity, unit_price, total, status, created_at,
        updated_at) VALUES ('ann', 'pen', 3, 0.1, 0.30000000000000004, 'pending', 't', 't')`,
    );
    const store = createOrderStore(db);
    const order = await store.get(1);
    assert.equal(order?.unit_price, 0.1);
    assert.equal(order?.total, 0.3);
    const columns = db.columns("orders");
    assert.ok(columns.includes("unit_price_cents") && !columns.includes("unit_price"));
    assert.equal((await createOrderStore(db).get(1))?.total, 0.3, "opening again changes nothing");
  } finally {
    db.close();
    await telemetry.shutdown(100);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createOrderStore() makes no span at start: its schema probe is no operation of order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "order_store_test_" });
  const { telemetry, exporter } = createTestTelemetry();
  const db = openDatabase(join(dir, "orders.db"), { tracer: telemetry.tracer });
  try {
    createOrderStore(db);
    createOrderStore(db); // opening an existing file probes its columns too
    assert.deepEqual(exporter.getFinishedSpans().map((span) => span.name), []);
    assert.ok(db.columns("orders").includes("unit_price_cents"));
    assert.deepEqual(db.columns("no_such_table"), []);
  } finally {
    db.close();
    await telemetry.shutdown(100);
    await Deno.remove(dir, { recursive: true });
  }
});
