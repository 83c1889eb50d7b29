import assert from "node:assert/strict";
import { Hono } from "hono";
import { createLogger } from "../log.ts";
import { createErrorHandler } from "./errors.ts";
import {
  limitRequestHead,
  MAX_HEADER_BYTES,
  MAX_HEADER_COUNT,
  MAX_URL_BYTES,
} from "./request_head.ts";

function createApp(): Hono {
  const app = new Hono();
  app.use(limitRequestHead());
  app.onError(createErrorHandler(createLogger({ service: "test", write: () => {} })));
  app.get("*", (c) => c.text("ok"));
  return app;
}

async function expectError(response: Response, status: number, code: string): Promise<void> {
  assert.equal(response.status, status);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal((await response.json()).error.code, code);
}

Deno.test("limitRequestHead() answers an oversize URL with the JSON 414", async (t) => {
  const app = createApp();
  const base = "http://localhost/";
  await t.step("at the limit", async () => {
    const response = await app.request(base + "a".repeat(MAX_URL_BYTES - base.length));
    assert.equal(response.status, 200);
    await response.body?.cancel();
  });
  await t.step("past the limit", async () => {
    const response = await app.request(base + "a".repeat(MAX_URL_BYTES - base.length + 1));
    await expectError(response, 414, "uri_too_long");
  });
});

Deno.test("limitRequestHead() answers oversize headers with the JSON 431", async (t) => {
  const app = createApp();
  await t.step("too many bytes", async () => {
    const response = await app.request("/", { headers: { "x-big": "a".repeat(MAX_HEADER_BYTES) } });
    await expectError(response, 431, "request_header_fields_too_large");
  });
  await t.step("too many fields", async () => {
    const headers = Object.fromEntries(
      Array.from({ length: MAX_HEADER_COUNT + 1 }, (_, i) => [`x-h${i}`, "v"]),
    );
    await expectError(await app.request("/", { headers }), 431, "request_header_fields_too_large");
  });
  await t.step("within the limits", async () => {
    const response = await app.request("/", {
      headers: { "x-big": "a".repeat(MAX_HEADER_BYTES / 2) },
    });
    assert.equal(response.status, 200);
    await response.body?.cancel();
  });
});
