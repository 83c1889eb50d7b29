import assert from "node:assert/strict";
import { type TestDatabase, withReplicaStores } from "../lib/testing/postgres.ts";
import { createPostgresOrderStore } from "./postgres_store.ts";
import type { OrderStore } from "./store.ts";

/** Two stores on one database, as two replicas would have. */
function withReplicas(
  work: (stores: [OrderStore, OrderStore], testDb: TestDatabase) => Promise<void>,
): Promise<void> {
  return withReplicaStores("order_store", createPostgresOrderStore, work);
}

Deno.test("createPostgresOrderStore() numbers orders once across replicas", async (t) => {
  await withReplicas(async ([one, two], testDb) => {
    const placed = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? one : two).create({
          username: i < 6 ? "ada" : "bob",
          item: `item ${i}`,
          quantity: 3,
          unit_price: 0.1,
        })),
    );

    await t.step("ids are unique and every order is listed by either replica", async () => {
      assert.equal(new Set(placed.map((order) => order.id)).size, 10);
      for (const store of [one, two]) {
        const page = await store.list({ limit: 50, offset: 0 });
        assert.equal(page.total, 10);
        assert.deepEqual(
          page.orders.map((order) => order.id),
          placed.map((order) => order.id).sort((a, b) => a - b),
        );
      }
      const bob = await two.list({ username: "bob", limit: 2, offset: 1 });
      assert.equal(bob.total, 4);
      assert.deepEqual(bob.orders.map((order) => order.username), ["bob", "bob"]);
    });

    await t.step("money is exact: 3 × 0.10 is 0.30, stored as NUMERIC", async () => {
      assert.equal(placed[0]?.total, 0.3);
      assert.equal(placed[0]?.status, "pending");
      const [row] = await testDb.query<{ total: string; unit_price: string }>(
        "SELECT total::text, unit_price::text FROM orders WHERE id = $1",
        [placed[0]!.id],
      );
      assert.deepEqual(row, { total: "0.30", unit_price: "0.10" });
    });

    await t.step("the largest totals the API allows stay exact to the cent", async () => {
      const top = await one.create({
        username: "ada",
        item: "engine",
        quantity: 999_999,
        unit_price: 9999999.99,
      });
      assert.equal(top.total, 9999989990000.01);
      assert.equal(JSON.stringify((await two.get(top.id))?.total), "9999989990000.01");
      const [row] = await testDb.query<{ total: string }>(
        "SELECT total::text FROM orders WHERE id = $1",
        [top.id],
      );
      assert.deepEqual(row, { total: "9999989990000.01" });
      assert.equal(await one.delete(top.id), true);
    });

    await t.step("an update recomputes the total from the stored values", async () => {
      const id = placed[1]!.id;
      const updated = await one.update(id, { quantity: 7, status: "confirmed" });
      assert.equal(updated?.total, 0.7);
      assert.equal(updated?.unit_price, 0.1);
      assert.equal(updated?.status, "confirmed");
      assert.deepEqual(await two.get(id), updated);
    });

    await t.step("unknown and out-of-range ids are simply not found", async () => {
      for (const id of [999_999, Number.MAX_SAFE_INTEGER + 2, 1e300]) {
        assert.equal(await one.get(id), undefined);
        assert.equal(await one.update(id, { item: "x" }), undefined);
        assert.equal(await one.delete(id), false);
      }
    });

    await t.step("the database refuses a status outside the known ones", async () => {
      await assert.rejects(
        testDb.query("UPDATE orders SET status = 'lost' WHERE id = $1", [placed[2]!.id]),
        /orders_status_check/,
      );
    });

    await t.step("delete answers whether an order was there", async () => {
      assert.equal(await two.delete(placed[3]!.id), true);
      assert.equal(await one.delete(placed[3]!.id), false);
    });
  });
});
