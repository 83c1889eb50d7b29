import assert from "node:assert/strict";
import { jsonInit } from "../lib/testing/http.ts";
import { join } from "node:path";
import { SpanKind } from "@opentelemetry/api";
import type { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import type { Hono } from "hono";
import { createLogger } from "../lib/log.ts";
import { openDatabase } from "../lib/sqlite.ts";
import { createTestTelemetry } from "../lib/testing/telemetry.ts";
import { createApp } from "./app.ts";
import { createUserStore } from "./store.ts";

const MAX_BODY_BYTES = 1024;

interface Fixture {
  app: Hono;
  exporter: InMemorySpanExporter;
}

async function withApp(work: (fixture: Fixture) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "user_app_test_" });
  const { telemetry, exporter } = createTestTelemetry();
  const db = openDatabase(join(dir, "users.db"), { tracer: telemetry.tracer });
  try {
    const app = createApp({
      store: createUserStore(db),
      logger: createLogger({ service: "user", write: () => {} }),
      telemetry,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    await work({ app, exporter });
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const ANN = { username: "ann", email: "ann@example.com", full_name: "Ann Example" };

async function createUser(app: Hono, user: Record<string, unknown> = ANN): Promise<Response> {
  return await app.request("/users", jsonInit("POST", user));
}

async function expectError(response: Response, status: number, code: string): Promise<string> {
  const body = await response.json();
  assert.equal(response.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, "string");
  return body.error.message;
}

Deno.test("POST /users creates a user", async () => {
  await withApp(async ({ app }) => {
    const response = await createUser(app);
    assert.equal(response.status, 201);
    assert.equal(response.headers.get("location"), "/users/ann");
    const user = await response.json();
    assert.deepEqual(
      { username: user.username, email: user.email, full_name: user.full_name },
      ANN,
    );
    assert.ok(!Number.isNaN(Date.parse(user.created_at)));
    assert.equal(user.updated_at, user.created_at);
  });
});

Deno.test("POST /users returns 400 for invalid input", async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ["an uppercase username", { ...ANN, username: "Ann" }, /"username": expected 3 to 32/],
    ["a short username", { ...ANN, username: "an" }, /"username"/],
    ["a username with a space", { ...ANN, username: "a nn" }, /"username"/],
    ["an invalid email", { ...ANN, email: "not-an-email" }, /"email": expected a valid email/],
    ["a blank full name", { ...ANN, full_name: "   " }, /"full_name": must not be empty/],
    ["missing fields", { username: "ann" }, /"email".*"full_name"/],
    ["an unknown field", { ...ANN, admin: true }, /admin/],
    ["wrong types", { username: 5, email: ["a"], full_name: null }, /"username".*"email"/],
    ["an array body", [ANN], /^Invalid body: expected an object, not an array$/],
    ["a null body", null, /^Invalid body: expected an object, not null$/],
  ];
  for (const [label, body, message] of cases) {
    await t.step(label, async () => {
      await withApp(async ({ app }) => {
        const response = await app.request("/users", jsonInit("POST", JSON.stringify(body)));
        assert.match(await expectError(response, 400, "invalid_request"), message);
      });
    });
  }
  await t.step("malformed JSON", async () => {
    await withApp(async ({ app }) => {
      const response = await app.request("/users", jsonInit("POST", '{"username":'));
      await expectError(response, 400, "malformed_json");
    });
  });
});

Deno.test("POST /users returns 409 for a duplicate username", async () => {
  await withApp(async ({ app }) => {
    await (await createUser(app)).body?.cancel();
    const response = await createUser(app, { ...ANN, email: "other@example.com" });
    assert.equal(await expectError(response, 409, "user_exists"), 'User "ann" already exists');
    const kept = await (await app.request("/users/ann")).json();
    assert.equal(kept.email, ANN.email);
  });
});

Deno.test("POST /users returns 415 without a JSON content type", async () => {
  await withApp(async ({ app }) => {
    const response = await app.request("/users", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify(ANN),
    });
    await expectError(response, 415, "unsupported_media_type");
  });
});

Deno.test("POST /users returns 413 for an oversize body", async () => {
  await withApp(async ({ app }) => {
    const response = await createUser(app, { ...ANN, full_name: "x".repeat(MAX_BODY_BYTES) });
    await expectError(response, 413, "payload_too_large");
    const list = await (await app.request("/users")).json();
    assert.equal(list.total, 0);
  });
});

Deno.test("GET /users lists users by page", async (t) => {
  await withApp(async ({ app }) => {
    for (const name of ["cat", "ann", "bob"]) {
      const response = await createUser(app, { ...ANN, username: name });
      await response.body?.cancel();
    }
    await t.step("the first page, sorted by username", async () => {
      const response = await app.request("/users?limit=2");
      assert.equal(response.status, 200);
      const page = await response.json();
      assert.deepEqual(page.users.map((u: { username: string }) => u.username), ["ann", "bob"]);
      assert.equal(page.total, 3);
      assert.equal(page.limit, 2);
      assert.equal(page.offset, 0);
    });
    await t.step("the next page", async () => {
      const page = await (await app.request("/users?limit=2&offset=2")).json();
      assert.deepEqual(page.users.map((u: { username: string }) => u.username), ["cat"]);
    });
    await t.step("defaults to 50 from 0", async () => {
      const page = await (await app.request("/users")).json();
      assert.equal(page.users.length, 3);
      assert.equal(page.limit, 50);
      assert.equal(page.offset, 0);
    });
    for (const query of ["limit=0", "limit=501", "limit=abc", "limit=1.5", "offset=-1", "sort=x"]) {
      await t.step(`400 for ${query}`, async () => {
        const response = await app.request(`/users?${query}`);
        assert.match(await expectError(response, 400, "invalid_request"), /^Invalid query: /);
      });
    }
  });
});

Deno.test("GET /users/:username returns the user, 404 or 400", async (t) => {
  await withApp(async ({ app }) => {
    await (await createUser(app)).body?.cancel();
    await t.step("200 for a known user", async () => {
      const response = await app.request("/users/ann");
      assert.equal(response.status, 200);
      assert.equal((await response.json()).email, ANN.email);
    });
    await t.step("404 for an unknown user", async () => {
      const response = await app.request("/users/nobody");
      assert.equal(
        await expectError(response, 404, "user_not_found"),
        'User "nobody" not found',
      );
    });
    await t.step("400 for an invalid username", async () => {
      const response = await app.request("/users/NO%20WAY");
      assert.match(await expectError(response, 400, "invalid_request"), /^Invalid params: /);
    });
  });
});

Deno.test("PUT /users/:username updates, or returns 404 or 400", async (t) => {
  await withApp(async ({ app }) => {
    const created = await (await createUser(app)).json();
    await t.step("200 with the changed fields", async () => {
      const response = await app.request("/users/ann", jsonInit("PUT", { full_name: "Ann B" }));
      assert.equal(response.status, 200);
      const user = await response.json();
      assert.equal(user.full_name, "Ann B");
      assert.equal(user.email, ANN.email);
      assert.equal(user.created_at, created.created_at);
      assert.ok(user.updated_at >= created.updated_at);
    });
    await t.step("200 for an email change", async () => {
      const response = await app.request(
        "/users/ann",
        jsonInit("PUT", { email: "new@example.com" }),
      );
      assert.equal((await response.json()).email, "new@example.com");
    });
    await t.step("404 for an unknown user", async () => {
      const response = await app.request("/users/nobody", jsonInit("PUT", { full_name: "X" }));
      await expectError(response, 404, "user_not_found");
    });
    await t.step("400 for an empty object", async () => {
      const response = await app.request("/users/ann", jsonInit("PUT", {}));
      assert.match(
        await expectError(response, 400, "invalid_request"),
        /expected at least one of email, full_name/,
      );
    });
    await t.step("400 for a username change", async () => {
      const response = await app.request("/users/ann", jsonInit("PUT", { username: "bob" }));
      assert.match(await expectError(response, 400, "invalid_request"), /username/);
      assert.equal((await app.request("/users/bob")).status, 404);
    });
    await t.step("400 for an invalid email", async () => {
      const response = await app.request("/users/ann", jsonInit("PUT", { email: "x" }));
      await expectError(response, 400, "invalid_request");
    });
    await t.step("415 without a JSON content type", async () => {
      const response = await app.request("/users/ann", { method: "PUT", body: "{}" });
      await expectError(response, 415, "unsupported_media_type");
    });
  });
});

Deno.test("DELETE /users/:username returns 204, then 404", async () => {
  await withApp(async ({ app }) => {
    await (await createUser(app)).body?.cancel();
    const deleted = await app.request("/users/ann", { method: "DELETE" });
    assert.equal(deleted.status, 204);
    assert.equal(await deleted.text(), "");
    await expectError(await app.request("/users/ann"), 404, "user_not_found");
    await expectError(
      await app.request("/users/ann", { method: "DELETE" }),
      404,
      "user_not_found",
    );
  });
});

Deno.test("POST /users makes db spans that are children of the SERVER span", async () => {
  await withApp(async ({ app, exporter }) => {
    exporter.reset();
    await (await createUser(app)).body?.cancel();
    const spans = exporter.getFinishedSpans();
    const server = spans.find((span) => span.kind === SpanKind.SERVER);
    assert.equal(server?.name, "POST /users");
    const db = spans.filter((span) => span.kind === SpanKind.CLIENT);
    assert.deepEqual(db.map((span) => span.name), ["INSERT users"]);
    for (const span of db) {
      assert.equal(span.spanContext().traceId, server?.spanContext().traceId);
      assert.equal(span.parentSpanContext?.spanId, server?.spanContext().spanId);
      assert.ok(!JSON.stringify(span.attributes).includes("ann@example.com"));
    }
  });
});
