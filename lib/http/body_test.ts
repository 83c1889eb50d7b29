import assert from "node:assert/strict";
import { z } from "zod";
import { readJson, readQuery } from "./body.ts";
import { createLogger } from "../log.ts";
import { createServiceApp } from "./service_app.ts";
import { createTestTelemetry } from "../testing/telemetry.ts";

const MAX_BYTES = 64;

function setup() {
  const { telemetry } = createTestTelemetry();
  const logger = createLogger({ service: "test", write: () => {} });
  const { app } = createServiceApp({ service: "test", logger, telemetry, maxBodyBytes: MAX_BYTES });
  const schema = z.strictObject({ name: z.string().min(1), count: z.number().int() });
  app.post("/echo", async (c) => c.json(await readJson(c, schema)));
  app.get("/search", (c) => c.json(readQuery(c, z.strictObject({ limit: z.coerce.number() }))));
  return app;
}

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = await response.json();
  return body.error;
}

function post(body: BodyInit, contentType: string | null = "application/json"): RequestInit {
  return {
    method: "POST",
    body,
    headers: contentType === null ? {} : { "content-type": contentType },
  };
}

Deno.test("readJson() returns the validated body", async (t) => {
  for (
    const type of [
      "application/json",
      "application/json; charset=utf-8",
      "application/merge-patch+json",
    ]
  ) {
    await t.step(type, async () => {
      const response = await setup().request("/echo", post('{"name":"a","count":2}', type));
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { name: "a", count: 2 });
    });
  }
});

Deno.test("readJson() answers 415 without a JSON content type", async (t) => {
  for (const type of [null, "", "text/plain", "application/jsonp", "multipart/form-data"]) {
    await t.step(String(type), async () => {
      const response = await setup().request("/echo", post('{"name":"a","count":1}', type));
      assert.equal(response.status, 415);
      const error = await errorOf(response);
      assert.equal(error.code, "unsupported_media_type");
      assert.match(error.message, /expected application\/json$/);
    });
  }
});

Deno.test("readJson() answers 415 for a compressed body instead of reading it", async (t) => {
  for (const coding of ["gzip", "deflate", "br"]) {
    await t.step(coding, async () => {
      const init = post('{"name":"a","count":1}');
      init.headers = { ...init.headers as Record<string, string>, "content-encoding": coding };
      const response = await setup().request("/echo", init);
      assert.equal(response.status, 415);
      assert.deepEqual(await errorOf(response), {
        code: "unsupported_encoding",
        message: `Unsupported content-encoding "${coding}": send the JSON body uncompressed`,
      });
    });
  }
  await t.step("identity is no compression", async () => {
    const init = post('{"name":"a","count":1}');
    init.headers = { ...init.headers as Record<string, string>, "content-encoding": "identity" };
    assert.equal((await setup().request("/echo", init)).status, 200);
  });
});

Deno.test("readJson() answers 400 for malformed JSON", async (t) => {
  for (const body of ["{", "", "{'name': 'a'}", "[1,]"]) {
    await t.step(JSON.stringify(body), async () => {
      const response = await setup().request("/echo", post(body));
      assert.equal(response.status, 400);
      const error = await errorOf(response);
      assert.equal(error.code, "malformed_json");
      assert.match(error.message, /^Malformed JSON body: /);
    });
  }
});

Deno.test("readJson() answers 400 naming every invalid field", async (t) => {
  await t.step("wrong types and a missing field", async () => {
    const response = await setup().request("/echo", post('{"name":5}'));
    assert.equal(response.status, 400);
    const error = await errorOf(response);
    assert.equal(error.code, "invalid_request");
    assert.match(error.message, /^Invalid body: "name": .*; "count": /);
  });
  await t.step("an unknown field", async () => {
    const response = await setup().request("/echo", post('{"name":"a","count":1,"extra":true}'));
    assert.equal(response.status, 400);
    assert.match((await errorOf(response)).message, /^Invalid body: "extra": unknown field$/);
  });
  await t.step("a body that is not an object", async () => {
    const response = await setup().request("/echo", post("[]"));
    assert.equal(response.status, 400);
    assert.match((await errorOf(response)).message, /^Invalid body: expected an object, not /);
  });
});

Deno.test("limitBodySize() answers 413 for an oversize body", async (t) => {
  const big = JSON.stringify({ name: "x".repeat(MAX_BYTES), count: 1 });
  await t.step("with content-length", async () => {
    const response = await setup().request("/echo", post(big));
    assert.equal(response.status, 413);
    assert.deepEqual(await errorOf(response), {
      code: "payload_too_large",
      message: `Request body too large: the limit is ${MAX_BYTES} bytes`,
    });
  });
  await t.step("streamed without content-length", async () => {
    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 40));
        controller.enqueue(bytes.slice(40));
        controller.close();
      },
    });
    const request = new Request("http://localhost/echo", {
      ...post(stream),
      duplex: "half",
    } as RequestInit);
    assert.equal(request.headers.get("content-length"), null);
    const response = await setup().request(request);
    assert.equal(response.status, 413);
    assert.equal((await errorOf(response)).code, "payload_too_large");
  });
  await t.step("a body at the limit passes", async () => {
    const body = JSON.stringify({ name: "x", count: 1 }).padEnd(MAX_BYTES, " ");
    const response = await setup().request("/echo", post(body));
    assert.equal(response.status, 200);
    await response.body?.cancel();
  });
});

Deno.test("readQuery() answers 400 naming the parameter", async () => {
  const app = setup();
  const ok = await app.request("/search?limit=5");
  assert.deepEqual(await ok.json(), { limit: 5 });
  const bad = await app.request("/search?limit=lots");
  assert.equal(bad.status, 400);
  assert.match((await errorOf(bad)).message, /^Invalid query: "limit": /);
});
