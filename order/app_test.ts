import assert from "node:assert/strict";
import { jsonInit } from "../lib/testing/http.ts";
import { join } from "node:path";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import type { Hono } from "hono";
import { createLogger } from "../lib/log.ts";
import { openDatabase, type TracedDatabase } from "../lib/sqlite.ts";
import { createTestTelemetry } from "../lib/testing/telemetry.ts";
import { createTracedFetch } from "../lib/telemetry/traced_fetch.ts";
import { createApp as createUserApp } from "../user/app.ts";
import { createUserClient } from "../user/client.ts";
import { createUserStore } from "../user/store.ts";
import { createApp } from "./app.ts";
import { createOrderStore } from "./store.ts";

const USER_TIMEOUT_MS = 300;
/** Every line the apps under test log, newest last. */
const logged: Record<string, unknown>[] = [];
const logger = createLogger({ service: "test", write: (line) => logged.push(JSON.parse(line)) });
const loggedAt = (level: string, msg: string) =>
  logged.filter((line) => line.level === level && line.msg === msg);

interface Fixture {
  app: Hono;
  exporter: InMemorySpanExporter;
}

type UserBackend = "real" | "down" | "slow";

/**
 * The order app over a real SQLite file, calling a real user app served on a local port
 * (or a closed port, or a server that never answers in time).
 */
async function withApp(
  work: (fixture: Fixture) => Promise<void>,
  backend: UserBackend = "real",
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "order_app_test_" });
  const { telemetry, exporter } = createTestTelemetry();
  const dbs: TracedDatabase[] = [];
  const open = (name: string) => {
    const db = openDatabase(join(dir, name), { tracer: telemetry.tracer });
    dbs.push(db);
    return db;
  };
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  let server: Deno.HttpServer<Deno.NetAddr> | undefined;
  try {
    let baseUrl: string;
    if (backend === "down") {
      baseUrl = `http://127.0.0.1:${closedPort()}`;
    } else {
      const handler = backend === "real"
        ? await seededUserApp(open("users.db"), telemetry)
        : async () => {
          await released;
          return new Response("late");
        };
      server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
      baseUrl = `http://127.0.0.1:${server.addr.port}`;
    }
    const fetch = createTracedFetch({ ...telemetry, timeoutMs: USER_TIMEOUT_MS });
    const app = createApp({
      store: createOrderStore(open("orders.db")),
      users: createUserClient({ baseUrl, fetch }),
      logger,
      telemetry,
      maxBodyBytes: 1024,
    });
    exporter.reset();
    await work({ app, exporter });
  } finally {
    release();
    await server?.shutdown();
    for (const db of dbs) db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function seededUserApp(
  db: TracedDatabase,
  telemetry: ReturnType<typeof createTestTelemetry>["telemetry"],
): Promise<Hono["fetch"]> {
  const users = createUserApp({
    store: createUserStore(db),
    logger,
    telemetry,
    maxBodyBytes: 1024,
  });
  for (const username of ["ann", "bob"]) {
    const response = await users.request(
      "/users",
      jsonInit("POST", {
        username,
        email: `${username}@example.com`,
        full_name: username,
      }),
    );
    assert.equal(response.status, 201);
    await response.body?.cancel();
  }
  return users.fetch;
}

function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

const ORDER = { username: "ann", item: "book", quantity: 3, unit_price: 12.5 };

async function createOrder(app: Hono, order: Record<string, unknown> = ORDER) {
  const response = await app.request("/orders", jsonInit("POST", order));
  const body = await response.json();
  assert.equal(response.status, 201, JSON.stringify(body));
  return body;
}

async function expectError(response: Response, status: number, code: string): Promise<string> {
  const body = await response.json();
  assert.equal(response.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  return body.error.message;
}

Deno.test("POST /orders creates an order with its total", async () => {
  await withApp(async ({ app }) => {
    const response = await app.request("/orders", jsonInit("POST", { ...ORDER, unit_price: 0.1 }));
    assert.equal(response.status, 201);
    const order = await response.json();
    assert.equal(response.headers.get("location"), `/orders/${order.id}`);
    assert.equal(order.username, "ann");
    assert.equal(order.item, "book");
    assert.equal(order.quantity, 3);
    assert.equal(order.unit_price, 0.1);
    assert.equal(order.total, 0.3);
    assert.equal(order.status, "pending");
    assert.ok(Number.isInteger(order.id) && order.id > 0);
    assert.deepEqual(await (await app.request(`/orders/${order.id}`)).json(), order);
  });
});

Deno.test("POST /orders returns 422 for an unknown user, and logs a warning", async () => {
  await withApp(async ({ app, exporter }) => {
    const response = await app.request("/orders", jsonInit("POST", { ...ORDER, username: "zed" }));
    assert.equal(await expectError(response, 422, "unknown_user"), 'User "zed" does not exist');
    assert.equal((await (await app.request("/orders")).json()).total, 0);
    const [refused] = loggedAt("warn", "Unknown user; order refused").slice(-1);
    assert.equal(refused?.username, "zed");
    const server = exporter.getFinishedSpans().find((span) => span.name === "POST /orders");
    assert.equal(refused?.span_id, server?.spanContext().spanId, "logged under the SERVER span");
  });
});

Deno.test("POST /orders returns 422 for a username the user service rejects", async () => {
  await withApp(async ({ app }) => {
    const response = await app.request(
      "/orders",
      jsonInit("POST", { ...ORDER, username: "NO WAY" }),
    );
    await expectError(response, 422, "unknown_user");
  });
});

Deno.test("POST /orders returns 503 when the user service is down", async () => {
  await withApp(async ({ app, exporter }) => {
    const response = await app.request("/orders", jsonInit("POST", ORDER));
    assert.equal(response.headers.get("retry-after"), "1");
    assert.match(
      await expectError(response, 503, "user_service_unavailable"),
      /^User service unreachable: /,
    );
    const server = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER);
    assert.equal(server?.status.code, SpanStatusCode.ERROR);
    assert.equal((await (await app.request("/orders")).json()).total, 0);
    const [failed] = loggedAt("error", "User service unavailable; order refused").slice(-1);
    assert.equal(failed?.span_id, server?.spanContext().spanId);
    assert.match(String((failed?.error as { message?: string })?.message), /unreachable/);
  }, "down");
});

Deno.test("POST /orders answers 503 at its timeout when the user service is slow", async () => {
  await withApp(async ({ app, exporter }) => {
    // The message names the client's own timeout: the request did not wait for the slow service.
    const response = await app.request("/orders", jsonInit("POST", ORDER));
    assert.match(
      await expectError(response, 503, "user_service_unavailable"),
      new RegExp(`timed out after ${USER_TIMEOUT_MS} ms`),
    );
    const client = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.CLIENT);
    assert.equal(client?.attributes["error.type"], "FetchTimeoutError");
  }, "slow");
});

Deno.test("POST /orders keeps money exact to the cent", async (t) => {
  await withApp(async ({ app }) => {
    await t.step("a total at the top of the range, to the cent", async () => {
      const order = await createOrder(app, { ...ORDER, quantity: 999_999, unit_price: 9999999.99 });
      assert.equal(order.total, 9999989990000.01);
      const stored = await (await app.request(`/orders/${order.id}`)).json();
      assert.equal(JSON.stringify(stored.total), "9999989990000.01");
    });
    await t.step("the largest unit price", async () => {
      const order = await createOrder(app, { ...ORDER, quantity: 1, unit_price: 1e9 });
      assert.equal(order.total, 1e9);
    });
    await t.step("422 for a total past 9999999999999.99", async () => {
      const response = await app.request(
        "/orders",
        jsonInit("POST", { ...ORDER, quantity: 999_999, unit_price: 999999999.99 }),
      );
      assert.equal(
        await expectError(response, 422, "total_out_of_range"),
        "Order total of 999999 x 999999999.99 is out of range: expected at most 9999999999999.99",
      );
    });
    await t.step("422 for a change that takes the total past the maximum", async () => {
      const order = await createOrder(app, { ...ORDER, quantity: 10, unit_price: 999999999.99 });
      const response = await app.request(
        `/orders/${order.id}`,
        jsonInit("PUT", { quantity: 20_000 }),
      );
      await expectError(response, 422, "total_out_of_range");
      assert.equal((await (await app.request(`/orders/${order.id}`)).json()).quantity, 10);
    });
  });
});

Deno.test("POST /orders returns 400 for invalid input", async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ["quantity 0", { ...ORDER, quantity: 0 }, /"quantity"/],
    ["a fractional quantity", { ...ORDER, quantity: 1.5 }, /"quantity"/],
    ["a negative price", { ...ORDER, unit_price: -1 }, /"unit_price"/],
    ["a price with 3 decimals", { ...ORDER, unit_price: 1.234 }, /at most two decimal places/],
    ["a price below one cent", { ...ORDER, unit_price: 5e-324 }, /at most two decimal places/],
    ["a zero price", { ...ORDER, unit_price: 0 }, /"unit_price": expected at least 0.01/],
    ["a price above the maximum", { ...ORDER, unit_price: 1e9 + 0.01 }, /at most 1000000000.00/],
    ["a quantity as a string", { ...ORDER, quantity: "3" }, /"quantity"/],
    ["a price as a string", { ...ORDER, unit_price: "12.50" }, /"unit_price"/],
    ["a blank item", { ...ORDER, item: " " }, /"item": must not be empty/],
    ["a missing username", { item: "x", quantity: 1, unit_price: 1 }, /"username"/],
    ["an unknown field", { ...ORDER, total: 1 }, /total/],
    ["a client-set status", { ...ORDER, status: "shipped" }, /status/],
  ];
  await withApp(async ({ app }) => {
    for (const [label, body, message] of cases) {
      await t.step(label, async () => {
        const response = await app.request("/orders", jsonInit("POST", body));
        assert.match(await expectError(response, 400, "invalid_request"), message);
      });
    }
    await t.step("malformed JSON", async () => {
      await expectError(
        await app.request("/orders", jsonInit("POST", "{nope")),
        400,
        "malformed_json",
      );
    });
    await t.step("415 without a JSON content type", async () => {
      const response = await app.request("/orders", {
        method: "POST",
        body: JSON.stringify(ORDER),
      });
      await expectError(response, 415, "unsupported_media_type");
    });
    await t.step("413 for an oversize body", async () => {
      const response = await app.request(
        "/orders",
        jsonInit("POST", { ...ORDER, item: "x".repeat(2000) }),
      );
      await expectError(response, 413, "payload_too_large");
    });
    assert.equal((await (await app.request("/orders")).json()).total, 0);
  });
});

Deno.test("GET /orders filters by username and pages", async (t) => {
  await withApp(async ({ app }) => {
    const ids: number[] = [];
    for (const username of ["ann", "bob", "ann", "ann"]) {
      ids.push((await createOrder(app, { ...ORDER, username })).id);
    }
    await t.step("every order", async () => {
      const page = await (await app.request("/orders")).json();
      assert.deepEqual(page.orders.map((o: { id: number }) => o.id), ids);
      assert.equal(page.total, 4);
      assert.equal(page.limit, 50);
      assert.equal(page.offset, 0);
    });
    await t.step("one user's orders, paged", async () => {
      const page = await (await app.request("/orders?username=ann&limit=2&offset=1")).json();
      assert.deepEqual(page.orders.map((o: { id: number }) => o.id), [ids[2], ids[3]]);
      assert.equal(page.total, 3);
      assert.equal(page.limit, 2);
      assert.equal(page.offset, 1);
    });
    await t.step("a user without orders", async () => {
      const page = await (await app.request("/orders?username=zed")).json();
      assert.deepEqual(page, { orders: [], total: 0, limit: 50, offset: 0 });
    });
    for (const query of ["limit=0", "limit=x", "offset=-2", "color=red"]) {
      await t.step(`400 for ${query}`, async () => {
        await expectError(await app.request(`/orders?${query}`), 400, "invalid_request");
      });
    }
  });
});

Deno.test("GET /orders/:id returns the order, 404 or 400", async (t) => {
  await withApp(async ({ app }) => {
    const order = await createOrder(app);
    await t.step("200", async () => {
      assert.equal((await (await app.request(`/orders/${order.id}`)).json()).id, order.id);
    });
    await t.step("404", async () => {
      const response = await app.request("/orders/999");
      assert.equal(await expectError(response, 404, "order_not_found"), "Order 999 not found");
    });
    for (const id of ["abc", "0", "-1", "1.5", "0x1", "%201", "1%20", "1e0", "+1", "1_0"]) {
      await t.step(`400 for ${id}`, async () => {
        const response = await app.request(`/orders/${id}`);
        assert.match(await expectError(response, 400, "invalid_request"), /^Invalid params: /);
      });
    }
  });
});

Deno.test("PUT /orders/:id updates, or returns 404, 400 or 422", async (t) => {
  await withApp(async ({ app }) => {
    const order = await createOrder(app);
    const put = (id: number | string, body: unknown) =>
      app.request(`/orders/${id}`, jsonInit("PUT", body));
    await t.step("200 recomputes the total", async () => {
      const response = await put(order.id, { quantity: 4, status: "confirmed" });
      assert.equal(response.status, 200);
      const updated = await response.json();
      assert.equal(updated.quantity, 4);
      assert.equal(updated.total, 50);
      assert.equal(updated.status, "confirmed");
      assert.equal(updated.created_at, order.created_at);
      assert.deepEqual(await (await app.request(`/orders/${order.id}`)).json(), updated);
    });
    await t.step("200 re-assigns to a known user", async () => {
      const response = await put(order.id, { username: "bob" });
      assert.equal((await response.json()).username, "bob");
    });
    await t.step("422 re-assigning to an unknown user", async () => {
      await expectError(await put(order.id, { username: "zed" }), 422, "unknown_user");
      const kept = await (await app.request(`/orders/${order.id}`)).json();
      assert.equal(kept.username, "bob");
    });
    await t.step("404 for an unknown order", async () => {
      await expectError(await put(999, { quantity: 1 }), 404, "order_not_found");
    });
    await t.step("400 for a non-numeric id", async () => {
      await expectError(await put("abc", { quantity: 1 }), 400, "invalid_request");
    });
    await t.step("400 for an empty object", async () => {
      assert.match(
        await expectError(await put(order.id, {}), 400, "invalid_request"),
        /expected at least one of/,
      );
    });
    await t.step("400 for an unknown status", async () => {
      await expectError(await put(order.id, { status: "lost" }), 400, "invalid_request");
    });
    await t.step("400 for an id change", async () => {
      await expectError(await put(order.id, { id: 5 }), 400, "invalid_request");
    });
  });
});

Deno.test("DELETE /orders/:id returns 204, then 404", async () => {
  await withApp(async ({ app }) => {
    const order = await createOrder(app);
    const deleted = await app.request(`/orders/${order.id}`, { method: "DELETE" });
    assert.equal(deleted.status, 204);
    assert.equal(await deleted.text(), "");
    await expectError(await app.request(`/orders/${order.id}`), 404, "order_not_found");
    await expectError(
      await app.request(`/orders/${order.id}`, { method: "DELETE" }),
      404,
      "order_not_found",
    );
    await expectError(
      await app.request("/orders/abc", { method: "DELETE" }),
      400,
      "invalid_request",
    );
  });
});

Deno.test("POST /orders makes one trace across order and user", async () => {
  await withApp(async ({ app, exporter }) => {
    const response = await app.request("/orders", jsonInit("POST", ORDER));
    assert.equal(response.status, 201);
    await response.body?.cancel();

    const spans = exporter.getFinishedSpans();
    const find = (name: string, kind: SpanKind) => {
      const span = spans.find((s) => s.name === name && s.kind === kind);
      assert.ok(span, `no ${name} span among ${spans.map((s) => s.name)}`);
      return span;
    };
    const orderServer = find("POST /orders", SpanKind.SERVER);
    const client = find("GET", SpanKind.CLIENT);
    const userServer = find("GET /users/:username", SpanKind.SERVER);
    const userQuery = find("SELECT users", SpanKind.CLIENT);
    const orderInsert = find("INSERT orders", SpanKind.CLIENT);

    const traceId = orderServer.spanContext().traceId;
    for (const span of [client, userServer, userQuery, orderInsert]) {
      assert.equal(span.spanContext().traceId, traceId, span.name);
    }
    assert.equal(orderServer.parentSpanContext, undefined);
    assert.equal(client.parentSpanContext?.spanId, orderServer.spanContext().spanId);
    assert.equal(userServer.parentSpanContext?.spanId, client.spanContext().spanId);
    assert.equal(userServer.parentSpanContext?.isRemote, true);
    assert.equal(userQuery.parentSpanContext?.spanId, userServer.spanContext().spanId);
    assert.equal(orderInsert.parentSpanContext?.spanId, orderServer.spanContext().spanId);

    assert.equal(client.attributes["http.response.status_code"], 200);
    assert.match(String(client.attributes["url.full"]), /\/users\/ann$/);
    assert.equal(userServer.attributes["client.address"], "127.0.0.1");
    // Sampled and random: order started the trace with a random trace id (Level 2).
    assert.equal(
      response.headers.get("traceresponse"),
      `00-${traceId}-${orderServer.spanContext().spanId}-03`,
    );
  });
});
