/**
 * Oversize request heads over real HTTP: within Deno.serve's own limits the service answers the
 * JSON 414/431; past them (a head over 64 KiB, or over 128 header lines) Deno answers `400` with
 * an empty body before the app runs. The last step pins that measured behaviour of Deno 2.9.6,
 * so an upgrade that changes it shows up here and in the README.
 */
import assert from "node:assert/strict";
import { MAX_HEADER_BYTES, MAX_URL_BYTES } from "../lib/http/request_head.ts";
import { startServiceProcess } from "../lib/testing/service_process.ts";

/** Sends `head` as is over a fresh connection and returns the status line and body. */
async function rawRequest(port: number, head: string): Promise<{ status: number; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const writing = conn.write(new TextEncoder().encode(head)).catch(() => 0);
  const chunks: string[] = [];
  const buffer = new Uint8Array(16 * 1024);
  const decoder = new TextDecoder();
  try {
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      chunks.push(decoder.decode(buffer.subarray(0, n), { stream: true }));
    }
  } catch {
    // The server may reset the connection after answering, while the head is still arriving.
  }
  await writing;
  conn.close();
  const text = chunks.join("");
  const [status = "", body = ""] = [text.slice(9, 12), text.split("\r\n\r\n")[1]];
  return { status: Number(status), body };
}

Deno.test("an oversize URL or header gets the JSON error, up to Deno's own limit", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "e2e-oversize-" });
  const user = await startServiceProcess({ service: "user", dataDir });
  const get = (target: string, headers = "") =>
    rawRequest(
      user.port,
      `GET ${target} HTTP/1.1\r\nhost: x\r\n${headers}connection: close\r\n\r\n`,
    );
  try {
    await t.step("414 for a URL past MAX_URL_BYTES", async () => {
      const answer = await get(`/users/${"a".repeat(MAX_URL_BYTES)}`);
      assert.equal(answer.status, 414);
      assert.equal(JSON.parse(answer.body).error.code, "uri_too_long");
    });
    await t.step("431 for headers past MAX_HEADER_BYTES", async () => {
      const answer = await get("/users", `x-big: ${"a".repeat(MAX_HEADER_BYTES)}\r\n`);
      assert.equal(answer.status, 431);
      assert.equal(JSON.parse(answer.body).error.code, "request_header_fields_too_large");
    });
    await t.step("431 for 120 header fields", async () => {
      const many = Array.from({ length: 120 }, (_, i) => `x-h${i}: v\r\n`).join("");
      const answer = await get("/users", many);
      assert.equal(answer.status, 431);
    });
    await t.step("Deno's own empty 400 past a 64 KiB head (documented limit)", async () => {
      const answer = await get("/users", `x-big: ${"a".repeat(65 * 1024)}\r\n`);
      assert.deepEqual(answer, { status: 400, body: "" });
    });
    await t.step("the service still answers", async () => {
      const answer = await get("/health");
      assert.equal(answer.status, 200);
    });
  } finally {
    assert.equal(await user.stop(), 0);
    await Deno.remove(dataDir, { recursive: true });
  }
});
