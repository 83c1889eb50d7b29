/**
 * Two user and two order processes on one PostgreSQL database: records written through one replica
 * are read through the other, and one POST /orders is still one trace across order → user →
 * PostgreSQL, read back from the project's own tracing service.
 */
import assert from "node:assert/strict";
import { ServiceGroup } from "../lib/testing/service_process.ts";
import { SpanKindNumber } from "../lib/testing/otlp_sink.ts";
import { createTestDatabase } from "../lib/testing/postgres.ts";
import { startTracingProcess } from "../tracing/testing/service.ts";
import { requestJson } from "../lib/testing/http.ts";
import { readTrace } from "./_trace_backend.ts";

Deno.test("user and order replicas on one PostgreSQL share records and traces", async (t) => {
  const testDb = await createTestDatabase("e2e_replicas");
  const tracing = await startTracingProcess();
  const dataDir = await Deno.makeTempDir({ prefix: "e2e-postgres-" });
  const env = {
    DATABASE_URL: testDb.url.replace("postgres@", "postgres:secret-pw@"),
    DATABASE_POOL_SIZE: "3",
    OTEL_EXPORTER_OTLP_ENDPOINT: tracing.otlpEndpoint,
    OTEL_BSP_SCHEDULE_DELAY: "200",
  };
  const group = new ServiceGroup({ dataDir, env });
  const start = group.start.bind(group);
  try {
    // Started at once, so both replicas' migrations race for the advisory lock.
    const users = await Promise.all([start("user"), start("user")]);
    const orders = await Promise.all(
      users.map((user) => start("order", { USER_SERVICE_URL: user.url })),
    );

    await t.step("a user created through one user replica is found through the other", async () => {
      const ada = { username: "ada", email: "ada@example.com", full_name: "Ada Lovelace" };
      const created = await requestJson(`${users[0]!.url}/users`, { body: ada });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const found = await fetch(`${users[1]!.url}/users/ada`);
      assert.equal(found.status, 200);
      assert.deepEqual(await found.json(), created.body);
      const again = await requestJson(`${users[1]!.url}/users`, { body: ada });
      assert.equal(again.status, 409, "the username is unique across replicas");
    });

    const placed: { id: number; traceId?: string; via: number }[] = [];
    await t.step(
      "orders placed alternately through both order replicas are all listed",
      async () => {
        for (let i = 0; i < 6; i++) {
          const via = i % 2;
          const order = await requestJson(`${orders[via]!.url}/orders`, {
            body: {
              username: "ada",
              item: `gear ${i}`,
              quantity: 3,
              unit_price: 0.1,
            },
          });
          assert.equal(order.status, 201, JSON.stringify(order.body));
          assert.equal(order.body.total, 0.3);
          placed.push({ id: Number(order.body.id), traceId: order.traceId, via });
        }
        assert.equal(new Set(placed.map((order) => order.id)).size, 6, "ids are unique");
        for (const order of orders) {
          const list = await (await fetch(`${order.url}/orders?username=ada`)).json();
          assert.equal(list.total, 6);
          assert.deepEqual(
            list.orders.map((o: { id: number }) => o.id),
            placed.map((o) => o.id).sort((a, b) => a - b),
          );
        }
      },
    );

    await t.step("one trace spans order → user → PostgreSQL", async () => {
      // Placed through order replica 1, whose user replica 1 did not create "ada".
      const traceId = placed.find((order) => order.via === 1)?.traceId;
      assert.match(traceId ?? "", /^[0-9a-f]{32}$/);
      const spans = await readTrace(tracing, traceId!, 5);
      const find = (service: string, name: string) => {
        const span = spans.find((s) => s.service === service && s.name === name);
        assert.ok(span, `no ${service} ${name} in ${spans.map((s) => s.name).join(", ")}`);
        return span;
      };
      const orderServer = find("order", "POST /orders");
      const orderClient = find("order", "GET");
      const userServer = find("user", "GET /users/:username");
      const userSelect = find("user", "SELECT users");
      const orderInsert = find("order", "INSERT orders");
      assert.equal(orderClient.parentSpanId, orderServer.spanId);
      assert.equal(userServer.parentSpanId, orderClient.spanId);
      assert.equal(userSelect.parentSpanId, userServer.spanId);
      assert.equal(orderInsert.parentSpanId, orderServer.spanId);
      for (const span of [userSelect, orderInsert]) {
        assert.equal(span.kind, SpanKindNumber.CLIENT);
        assert.equal(span.attributes["db.system.name"], "postgresql");
        assert.equal(span.attributes["db.namespace"], testDb.name);
        assert.equal(span.attributes["server.address"], "127.0.0.1");
        assert.equal(Number(span.attributes["server.port"]), 5432);
      }
      assert.equal(userSelect.attributes["db.collection.name"], "users");
      assert.match(String(userSelect.attributes["db.query.text"]), /username = \$1/);
      assert.ok(!JSON.stringify(userSelect.attributes).includes("ada"), "no bound values");
      assert.equal(orderInsert.attributes["db.operation.name"], "INSERT");
    });

    await t.step(
      "/ready checks PostgreSQL and /health names it with the password masked",
      async () => {
        for (const service of [...users, ...orders]) {
          const ready = await (await fetch(`${service.url}/ready`)).json();
          assert.deepEqual(ready.checks.postgresql, { ok: true });
          const health = await (await fetch(`${service.url}/health`)).text();
          assert.ok(!health.includes("secret-pw"), health);
          assert.equal(
            JSON.parse(health).database.url,
            env.DATABASE_URL.replace("secret-pw", "***"),
          );
          const logged = JSON.stringify(service.logs);
          assert.ok(logged.includes("postgres:***@"), "the config log shows the masked URL");
          assert.ok(!logged.includes("secret-pw"), "no log line holds the password");
        }
      },
    );

    await t.step("the schema was migrated once", async () => {
      const rows = await testDb.query<{ name: string; version: number }>(
        "SELECT name, version FROM schema_migrations ORDER BY name, version",
      );
      assert.deepEqual(rows.map((row) => ({ ...row })), [
        { name: "orders", version: 1 },
        { name: "users", version: 1 },
      ]);
    });
  } finally {
    const codes = await group.stopAll();
    await tracing.stop();
    await Deno.remove(dataDir, { recursive: true });
    await testDb.drop();
    assert.deepEqual(codes, codes.map(() => 0));
  }
});
