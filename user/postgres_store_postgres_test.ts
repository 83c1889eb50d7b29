import assert from "node:assert/strict";
import { type TestDatabase, withReplicaStores } from "../lib/testing/postgres.ts";
import { createPostgresUserStore } from "./postgres_store.ts";
import { DuplicateUserError, type UserStore } from "./store.ts";

/** Two stores on one database, as two replicas would have. */
function withReplicas(
  work: (stores: [UserStore, UserStore], testDb: TestDatabase) => Promise<void>,
): Promise<void> {
  return withReplicaStores("user_store", createPostgresUserStore, work);
}

const ada = { username: "ada", email: "ada@example.com", full_name: "Ada Lovelace" };

Deno.test("createPostgresUserStore() shares users between replicas", async (t) => {
  await withReplicas(async ([one, two]) => {
    await t.step("a user created on one is found on the other", async () => {
      const created = await one.create(ada);
      assert.match(created.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual(await two.get("ada"), created);
      assert.deepEqual(await two.list({ limit: 10, offset: 0 }), { users: [created], total: 1 });
    });
    await t.step("an update keeps the fields it does not name", async () => {
      const updated = await two.update("ada", { full_name: "Augusta Ada King" });
      assert.equal(updated?.email, "ada@example.com");
      assert.equal(updated?.full_name, "Augusta Ada King");
      assert.deepEqual(await one.get("ada"), updated);
      assert.equal(await one.update("nobody", { email: "x@example.com" }), undefined);
    });
    await t.step("pages follow the username order", async () => {
      await one.create({ ...ada, username: "bob" });
      await two.create({ ...ada, username: "cy" });
      const page = await one.list({ limit: 1, offset: 1 });
      assert.deepEqual(page.users.map((user) => user.username), ["bob"]);
      assert.equal(page.total, 3);
    });
    await t.step("delete answers whether a user was there", async () => {
      assert.equal(await two.delete("cy"), true);
      assert.equal(await one.delete("cy"), false);
      assert.equal(await one.get("cy"), undefined);
    });
  });
});

Deno.test("createPostgresUserStore() lets exactly one of two replicas create a username", async () => {
  await withReplicas(async ([one, two], testDb) => {
    const results = await Promise.allSettled([one.create(ada), two.create(ada)]);
    assert.deepEqual(results.map((result) => result.status).sort(), ["fulfilled", "rejected"]);
    const rejected = results.find((result) => result.status === "rejected");
    assert.ok(rejected?.reason instanceof DuplicateUserError);
    assert.equal(rejected.reason.message, 'User "ada" already exists');
    const rows = await testDb.query("SELECT username FROM users");
    assert.equal(rows.length, 1);
  });
});
