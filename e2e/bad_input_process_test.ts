/**
 * Hostile input against the real processes: malformed JSON, wrong types, oversize bodies and
 * garbage `traceparent` headers get the documented JSON errors (or a fresh trace), and the SQLite
 * files come out intact with exactly the data that was accepted.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startOtlpSink } from "../lib/testing/otlp_sink.ts";
import { requestJson } from "../lib/testing/http.ts";
import { startOrderUserPair, telemetryEnv } from "./_fixture.ts";

const GARBAGE_TRACEPARENTS = [
  "garbage",
  "",
  "00-00000000000000000000000000000000-b7ad6b7169203331-01",
  "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
  "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  "00-0af7651916cd43dd8448eb211c80319-b7ad6b7169203331-01",
  "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01",
  "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-zz",
  "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
  "x".repeat(8192),
];

Deno.test("user and order reject bad input with JSON errors and keep their data intact", async (t) => {
  const sink = startOtlpSink();
  const pair = await startOrderUserPair({
    ...telemetryEnv(sink.endpoint, "sdk"),
    MAX_BODY_BYTES: "2048",
  });
  const { user, order } = pair;
  let stopped = false;
  try {
    const alice = { username: "alice", email: "alice@example.com", full_name: "Alice" };
    assert.equal((await requestJson(`${user.url}/users`, { body: alice })).status, 201);
    const good = { username: "alice", item: "book", quantity: 1, unit_price: 9.99 };
    assert.equal((await requestJson(`${order.url}/orders`, { body: good })).status, 201);

    const expectError = async (
      url: string,
      body: unknown,
      status: number,
      code: string,
      headers?: Record<string, string>,
    ) => {
      const response = await requestJson(url, { body, headers });
      assert.equal(response.status, status, JSON.stringify(response.body));
      const error = response.body.error as { code: string; message: string };
      assert.equal(error.code, code);
      assert.ok(error.message.length > 0);
      return error.message;
    };

    await t.step("malformed JSON gets 400 malformed_json", async () => {
      await expectError(`${user.url}/users`, '{"username": "bob",', 400, "malformed_json");
      await expectError(`${order.url}/orders`, "not json at all", 400, "malformed_json");
    });

    await t.step("wrong types get 400 naming the field", async () => {
      const message = await expectError(
        `${order.url}/orders`,
        { ...good, quantity: "three" },
        400,
        "invalid_request",
      );
      assert.match(message, /"quantity"/);
      assert.match(
        await expectError(`${user.url}/users`, { ...alice, username: 42 }, 400, "invalid_request"),
        /"username"/,
      );
      await expectError(`${user.url}/users`, [1, 2, 3], 400, "invalid_request");
      await expectError(`${order.url}/orders`, null, 400, "invalid_request");
    });

    await t.step("a body without a JSON content type gets 415", async () => {
      await expectError(`${user.url}/users`, JSON.stringify(alice), 415, "unsupported_media_type", {
        "content-type": "text/plain",
      });
    });

    await t.step("oversize bodies get 413", async () => {
      const big = { ...alice, username: "carol", full_name: "c".repeat(4096) };
      await expectError(`${user.url}/users`, big, 413, "payload_too_large");
      await expectError(
        `${order.url}/orders`,
        { ...good, item: "i".repeat(4096) },
        413,
        "payload_too_large",
      );
    });

    await t.step("garbage traceparent starts a new trace and the request succeeds", async () => {
      for (const [index, traceparent] of GARBAGE_TRACEPARENTS.entries()) {
        const response = await requestJson(`${order.url}/orders`, {
          body: good,
          headers: { traceparent },
        });
        assert.equal(response.status, 201, `traceparent #${index}`);
        assert.match(response.traceId ?? "", /^[0-9a-f]{32}$/);
        assert.notEqual(response.traceId, "0af7651916cd43dd8448eb211c80319c", `#${index}`);
        assert.notEqual(response.traceId, "00000000000000000000000000000000");
      }
      const valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      const continued = await requestJson(`${order.url}/orders`, {
        body: good,
        headers: { traceparent: valid },
      });
      assert.equal(continued.traceId, "0af7651916cd43dd8448eb211c80319c");
    });

    await t.step(
      "the data files hold exactly the accepted rows and pass an integrity check",
      async () => {
        const orderCodes = { order: await order.stop(), user: await user.stop() };
        stopped = true;
        assert.deepEqual(orderCodes, { order: 0, user: 0 });
        const users = new DatabaseSync(join(pair.dataDir, "users.db"), { readOnly: true });
        const orders = new DatabaseSync(join(pair.dataDir, "orders.db"), { readOnly: true });
        try {
          for (const db of [users, orders]) {
            assert.equal(db.prepare("PRAGMA integrity_check").get()?.integrity_check, "ok");
          }
          const names = users.prepare("SELECT username FROM users").all().map((r) => r.username);
          assert.deepEqual(names, ["alice"]);
          const count = orders.prepare("SELECT COUNT(*) AS n FROM orders").get() as { n: number };
          assert.equal(count.n, 1 + GARBAGE_TRACEPARENTS.length + 1);
        } finally {
          users.close();
          orders.close();
        }
      },
    );
  } finally {
    if (!stopped) await pair.stop();
    else await Deno.remove(pair.dataDir, { recursive: true });
    await sink.close();
  }
});
