import assert from "node:assert/strict";
import { createLogger } from "../../lib/log.ts";
import { waitFor } from "../../lib/testing/wait.ts";
import { createForwarder, type ForwardOutcome } from "./forwarder.ts";

const logger = createLogger({ service: "tracing", level: "error", write: () => {} });
const item = () => ({
  path: "/v1/traces",
  body: new TextEncoder().encode("{}"),
  headers: { "content-type": "application/json" },
});

Deno.test("createForwarder() delivers to a live endpoint while a dead one neither blocks nor grows", async () => {
  const received: string[] = [];
  const live = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      received.push(`${new URL(request.url).pathname} ${await request.text()}`);
      return new Response("{}");
    },
  );
  // A port nothing listens on: bind one, note it, close it.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadPort = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const outcomes: [string, ForwardOutcome][] = [];
  const forwarder = createForwarder({
    endpoints: [`http://127.0.0.1:${live.addr.port}`, `http://127.0.0.1:${deadPort}/v1/traces`],
    queueSize: 3,
    maxAttempts: 3,
    timeoutMs: 500,
    backoffMs: 20,
    logger,
    onOutcome: (endpoint, outcome) => outcomes.push([endpoint, outcome]),
  });
  try {
    // forward() is synchronous: it only queues, so nothing can have reached the network yet.
    for (let i = 0; i < 10; i++) assert.equal(forwarder.forward(item()), undefined);
    assert.equal(received.length, 0, "forward() must not wait for the network");
    assert.ok(forwarder.queued() <= 6, `queued ${forwarder.queued()}`);
    await waitFor(() => `4 deliveries; received ${received.length}`, () => received.length >= 4);
    assert.equal(received[0], "/v1/traces {}");
    const dead = `http://127.0.0.1:${deadPort}`;
    assert.ok(outcomes.some(([e, o]) => e === dead && o === "dropped"));
  } finally {
    await forwarder.close(100);
    await live.shutdown();
  }
  const dead = `http://127.0.0.1:${deadPort}`;
  assert.ok(outcomes.filter(([e, o]) => e === dead && o === "sent").length === 0);
});
