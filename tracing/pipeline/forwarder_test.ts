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

Deno.test("createForwarder() stops sending a signal its endpoint answers 404 to, and says so once", async () => {
  const received: string[] = [];
  // Like Jaeger: traces are taken, logs have no route.
  const jaegerLike = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    received.push(path);
    return new Response(path === "/v1/traces" ? "{}" : "404 page not found", {
      status: path === "/v1/traces" ? 200 : 404,
    });
  });
  const lines: Record<string, unknown>[] = [];
  const outcomes: ForwardOutcome[] = [];
  const forwarder = createForwarder({
    endpoints: [`http://127.0.0.1:${jaegerLike.addr.port}`],
    queueSize: 10,
    maxAttempts: 3,
    timeoutMs: 1000,
    backoffMs: 10,
    logger: createLogger({ service: "tracing", write: (line) => lines.push(JSON.parse(line)) }),
    onOutcome: (_endpoint, outcome) => outcomes.push(outcome),
  });
  const logs = { ...item(), path: "/v1/logs" };
  try {
    forwarder.forward(logs);
    forwarder.forward(item());
    await waitFor("the first two outcomes", () => outcomes.length >= 2);
    forwarder.forward(logs);
    forwarder.forward(item());
    await waitFor("the third outcome", () => outcomes.length >= 3);
  } finally {
    await forwarder.close(1000);
    await jaegerLike.shutdown();
  }
  assert.deepEqual(
    received,
    ["/v1/logs", "/v1/traces", "/v1/traces"],
    "logs sent once, not retried",
  );
  assert.deepEqual(outcomes, ["dropped", "sent", "sent"]);
  assert.deepEqual(lines.map((line) => [line.level, line.msg, line.path]), [
    ["info", "Forwarding endpoint does not accept this signal; not sending it", "/v1/logs"],
  ]);
});
