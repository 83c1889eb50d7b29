import assert from "node:assert/strict";
import { Hono } from "hono";
import { createErrorHandler } from "./errors.ts";
import { createLogger } from "../log.ts";
import { presentedToken, tokenAuth } from "./token_auth.ts";

Deno.test("presentedToken() reads Bearer and Basic credentials with the scheme in any case", async (t) => {
  const cases: [string | undefined, string | undefined][] = [
    ["Bearer abc", "abc"],
    ["bearer abc", "abc"],
    ["BEARER  abc ", "abc"],
    [`Basic ${btoa("user:pa:ss")}`, "pa:ss"],
    [`basic ${btoa(":abc")}`, "abc"],
    [`Basic ${btoa("no-colon")}`, undefined],
    ["Basic !!!", undefined],
    ["Bearer", undefined],
    ["Bearer a b", undefined],
    ["Token abc", undefined],
    [undefined, undefined],
  ];
  for (const [header, token] of cases) {
    await t.step(String(header), () => assert.equal(presentedToken(header), token));
  }
});

Deno.test("tokenAuth() guards writes, and reads only when a read token is set", async (t) => {
  const app = (readToken?: string) => {
    const hono = new Hono();
    hono.onError(createErrorHandler(createLogger({ service: "test", write: () => {} })));
    hono.use(tokenAuth({
      writeToken: "w",
      readToken,
      openPaths: ["/health"],
      readPosts: ["/transform"],
      realm: "test",
    }));
    hono.all("*", (c) => c.text("ok"));
    return hono;
  };
  const status = async (hono: Hono, method: string, path: string, token?: string) => {
    const headers = token === undefined ? undefined : { authorization: `Bearer ${token}` };
    const response = await hono.request(path, { method, headers });
    await response.body?.cancel();
    return response.status;
  };
  await t.step("without a read token", async () => {
    const open = app();
    assert.equal(await status(open, "GET", "/x"), 200);
    assert.equal(await status(open, "POST", "/x"), 401);
    assert.equal(await status(open, "PUT", "/x", "w"), 200);
    assert.equal(await status(open, "PATCH", "/x", "r"), 401);
    assert.equal(await status(open, "OPTIONS", "/x"), 200);
    assert.equal(await status(open, "POST", "/transform"), 200);
  });
  await t.step("with a read token", async () => {
    const closed = app("r");
    assert.equal(await status(closed, "GET", "/x"), 401);
    assert.equal(await status(closed, "HEAD", "/x", "r"), 200);
    assert.equal(await status(closed, "GET", "/x", "w"), 200);
    assert.equal(await status(closed, "POST", "/transform"), 401);
    assert.equal(await status(closed, "POST", "/transform", "r"), 200);
    assert.equal(await status(closed, "DELETE", "/x", "r"), 401);
    assert.equal(await status(closed, "GET", "/health"), 200);
  });
});
