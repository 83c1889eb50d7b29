/**
 * user and order processes when PostgreSQL fails: unreachable at start (exit 69 with a clear
 * error, no waiting) and down while running (503, then recovery without a restart). The shared
 * server is never stopped: the outage is the test database refusing and dropping connections.
 */
import assert from "node:assert/strict";
import { startServiceProcess } from "../lib/testing/service_process.ts";
import { createTestDatabase } from "../lib/testing/postgres.ts";
import { requestJson } from "../lib/testing/http.ts";

const QUIET = { OTEL_SDK_DISABLED: "true" };

Deno.test("user exits 69 with a clear error when PostgreSQL cannot be reached at start", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "e2e-postgres-down-" });
  try {
    const cases = [
      // Port 1 on loopback: nothing listens, the connection is refused.
      ["nothing listens", "postgres://app:hunter2@127.0.0.1:1/shop", /ECONNREFUSED/],
      ["no such database", "postgres://postgres:hunter2@127.0.0.1:5432/no_such_db_17", /exist/],
    ] as const;
    for (const [label, url, reason] of cases) {
      await t.step(label, async () => {
        const error = await startServiceProcess({
          service: "user",
          dataDir,
          env: { ...QUIET, DATABASE_URL: url },
        }).then(() => undefined, (error: Error) => error);
        assert.ok(error, "the service must not start");
        assert.match(error.message, /exited with code 69/);
        assert.match(error.message, /Cannot reach PostgreSQL at start/);
        assert.match(error.message, reason);
        assert.ok(!error.message.includes("hunter2"), "the password is masked");
      });
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("order answers 503 while PostgreSQL is down and recovers without a restart", async () => {
  const testDb = await createTestDatabase("e2e_outage");
  const dataDir = await Deno.makeTempDir({ prefix: "e2e-postgres-outage-" });
  const env = { ...QUIET, DATABASE_URL: testDb.url };
  const user = await startServiceProcess({ service: "user", dataDir, env });
  const order = await startServiceProcess({
    service: "order",
    dataDir,
    env: { ...env, USER_SERVICE_URL: user.url },
  });
  const place = () =>
    requestJson(`${order.url}/orders`, {
      body: { username: "ada", item: "gear", quantity: 1, unit_price: 2 },
    });
  try {
    const ada = { username: "ada", email: "ada@example.com", full_name: "Ada" };
    assert.equal((await requestJson(`${user.url}/users`, { body: ada })).status, 201);
    assert.equal((await place()).status, 201);

    await testDb.goDown(["user", "order"]);
    try {
      const refused = await place();
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      // order asks user first; either database answering 503 is a clear 503 to the client.
      assert.match(
        JSON.stringify(refused.body),
        /database_unavailable|user_service_unavailable/,
      );
      const ready = await fetch(`${order.url}/ready`);
      assert.equal(ready.status, 503);
      assert.equal((await ready.json()).checks.postgresql.ok, false);
      const listed = await fetch(`${order.url}/orders`);
      assert.equal(listed.status, 503);
      assert.equal((await listed.json()).error.code, "database_unavailable");
    } finally {
      await testDb.comeBack();
    }

    const again = await place();
    assert.equal(again.status, 201, JSON.stringify(again.body));
    const rows = await testDb.query("SELECT id FROM orders");
    assert.equal(rows.length, 2, "exactly the two orders answered 201 are stored");
    assert.equal((await fetch(`${order.url}/ready`)).status, 200);
  } finally {
    const codes = [await order.stop(), await user.stop()];
    await Deno.remove(dataDir, { recursive: true });
    await testDb.drop();
    assert.deepEqual(codes, [0, 0]);
  }
});
