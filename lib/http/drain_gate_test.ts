import assert from "node:assert/strict";
import { DrainGate } from "./drain_gate.ts";

/** A body that sends `first`, then the rest once `release` is called. */
function heldBody(first: string, rest: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(first));
      await released;
      controller.enqueue(encoder.encode(rest));
      controller.close();
    },
  });
  return { body, release };
}

// Issue 22: once in 4 SIGTERM runs order answered 500 "BadResource: Cannot read body": on
// Deno 2.9, `server.shutdown()` cuts the body of every request still being read.
Deno.test("DrainGate lets a request whose body is still arriving finish before the server shuts down", async (t) => {
  const gate = new DrainGate();
  let entered!: () => void;
  const handling = new Promise<void>((resolve) => entered = resolve);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    gate.wrap(async (request) => {
      entered();
      const text = await request.text();
      return Response.json({ received: text });
    }),
  );
  const url = `http://127.0.0.1:${server.addr.port}/`;
  try {
    const { body, release } = heldBody('{"half":', '"whole"}');
    const inFlight = fetch(url, { method: "POST", body });
    await handling;
    assert.equal(gate.inFlight, 1);
    let drained = false;
    const draining = gate.drain().then(() => drained = true);

    await t.step("a new request meanwhile is a clean 503 that closes its connection", async () => {
      const refused = await fetch(url);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get("retry-after"), "1");
      assert.equal(refused.headers.get("connection"), "close");
      assert.deepEqual(await refused.json(), {
        error: { code: "shutting_down", message: "The service is shutting down: retry later" },
      });
      assert.equal(drained, false, "the drain waits for the request in flight");
    });
    await t.step("the request in flight reads its whole body and is answered", async () => {
      release();
      const answer = await inFlight;
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { received: '{"half":"whole"}' });
      await draining;
      assert.equal(gate.inFlight, 0);
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("DrainGate.drain() resolves at once when nothing is in flight", async () => {
  const gate = new DrainGate();
  await gate.drain();
  assert.equal(gate.draining, true);
  const answer = await gate.wrap(() => new Response("never"))(new Request("http://x/"));
  assert.equal(answer.status, 503);
  await answer.body?.cancel();
});
