/**
 * One rule for control characters in user and order fields, the same on both backends: a NUL
 * (or any other control character) is a 400 naming the field, and nothing is stored. Before,
 * PostgreSQL answered 500 ("invalid byte sequence") and SQLite cut the text at the NUL.
 */
import assert from "node:assert/strict";
import { requestJson } from "../lib/testing/http.ts";
import { createTestDatabase, type TestDatabase } from "../lib/testing/postgres.ts";
import { startOrderUserPair } from "./_fixture.ts";

const BACKENDS = ["sqlite", "postgresql"] as const;

for (const backend of BACKENDS) {
  Deno.test(`user and order on ${backend} answer 400 naming a field with a control character`, async (t) => {
    let db: TestDatabase | undefined;
    const env: Record<string, string> = { OTEL_SDK_DISABLED: "true" };
    if (backend === "postgresql") {
      db = await createTestDatabase("control_chars");
      env.DATABASE_URL = db.url;
    }
    const pair = await startOrderUserPair(env);
    const { user, order } = pair;
    const expect400 = async (
      url: string,
      init: { method?: string; body?: unknown },
      field: string,
    ) => {
      const response = await requestJson(url, init);
      assert.equal(response.status, 400, JSON.stringify(response.body));
      const error = response.body.error as { code: string; message: string };
      assert.equal(error.code, "invalid_request");
      assert.match(error.message, new RegExp(`"${field}": `), error.message);
    };
    try {
      const ann = { username: "ann", email: "ann@example.com", full_name: "Ann" };
      assert.equal((await requestJson(`${user.url}/users`, { body: ann })).status, 201);
      const good = { username: "ann", item: "book", quantity: 1, unit_price: 2 };
      const created = await requestJson(`${order.url}/orders`, { body: good });
      assert.equal(created.status, 201);
      const orderId = created.body.id as number;

      await t.step("POST /users: NUL in full_name and email, escape in full_name", async () => {
        const base = { username: "bob", email: "bob@example.com", full_name: "Bob" };
        await expect400(
          `${user.url}/users`,
          { body: { ...base, full_name: "abc\u0000def" } },
          "full_name",
        );
        await expect400(
          `${user.url}/users`,
          { body: { ...base, full_name: "a\u001b[31mb" } },
          "full_name",
        );
        await expect400(
          `${user.url}/users`,
          { body: { ...base, email: "b\u0000b@example.com" } },
          "email",
        );
        await expect400(
          `${user.url}/users`,
          { body: { ...base, username: "bo\u0000b" } },
          "username",
        );
        const bob = await requestJson(`${user.url}/users/bob`);
        assert.equal(bob.status, 404, "nothing of bob was stored");
      });

      await t.step("PUT /users/:username: NUL and newline in full_name", async () => {
        await expect400(
          `${user.url}/users/ann`,
          { method: "PUT", body: { full_name: "A\u0000" } },
          "full_name",
        );
        await expect400(
          `${user.url}/users/ann`,
          { method: "PUT", body: { full_name: "A\nB" } },
          "full_name",
        );
        assert.equal((await requestJson(`${user.url}/users/ann`)).body.full_name, "Ann");
      });

      await t.step("POST and PUT /orders: NUL in item and username", async () => {
        await expect400(`${order.url}/orders`, { body: { ...good, item: "abc\u0000def" } }, "item");
        await expect400(
          `${order.url}/orders`,
          { body: { ...good, username: "ann\u0000" } },
          "username",
        );
        await expect400(`${order.url}/orders/${orderId}`, {
          method: "PUT",
          body: { item: "x\u0000" },
        }, "item");
        const stored = await requestJson(`${order.url}/orders/${orderId}`);
        assert.equal(stored.body.item, "book");
        const all = await requestJson(`${order.url}/orders`);
        assert.equal(all.body.total, 1, JSON.stringify(all.body));
      });

      await t.step("GET /orders?username= with a NUL", async () => {
        await expect400(`${order.url}/orders?username=ann%00`, {}, "username");
      });

      await t.step("text without control characters is kept exactly", async () => {
        const zoe = { username: "zoe", email: "zoe@example.com", full_name: "Zoë 名前 😀" };
        assert.equal((await requestJson(`${user.url}/users`, { body: zoe })).status, 201);
        assert.equal((await requestJson(`${user.url}/users/zoe`)).body.full_name, "Zoë 名前 😀");
      });
    } finally {
      const codes = await pair.stop();
      await db?.drop();
      assert.deepEqual(codes, { order: 0, user: 0 });
    }
  });
}
