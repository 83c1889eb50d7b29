import assert from "node:assert/strict";
import { AmqpConnection } from "./connection.ts";
import { createLogger } from "../log.ts";
import { closeConnectionsNamed, uniqueQueueName } from "../testing/amqp.ts";
import { delay, waitFor } from "../testing/wait.ts";
import { freePort } from "../testing/free_port.ts";
import { startPair } from "../testing/amqp_pair.ts";

/** A TCP forwarder to the broker that can be started late, to play a broker coming back. */
function startProxy(port: number): { close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const pipes: Promise<unknown>[] = [];
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const client of listener) {
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: 5672 });
      conns.push(client, upstream);
      pipes.push(
        client.readable.pipeTo(upstream.writable).catch(() => {}),
        upstream.readable.pipeTo(client.writable).catch(() => {}),
      );
    }
  })();
  return {
    close: async () => {
      listener.close();
      await accepting.catch(() => {});
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* already closed by the pipe */ }
      }
      await Promise.all(pipes);
    },
  };
}

Deno.test("AmqpConnection starts without a broker, is not ready, and connects once it returns", async () => {
  const lines: string[] = [];
  const logger = createLogger({ service: "test", level: "debug", write: (l) => lines.push(l) });
  const port = freePort();
  const connection = new AmqpConnection({
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    logger,
    name: "test down-then-up",
    reconnectInitialMs: 20,
    reconnectMaxMs: 100,
  });
  let proxy: { close(): Promise<void> } | undefined;
  try {
    await connection.open();
    await waitFor("a failed attempt", () => lines.some((l) => l.includes("Reconnecting")));
    assert.equal(connection.connected, false);
    const reason = connection.readiness();
    assert.equal(typeof reason, "string");
    assert.match(String(reason), /^not connected to amqp:\/\/guest:\*\*\*@127\.0\.0\.1/);

    proxy = startProxy(port);
    await waitFor("the connection", () => connection.connected);
    assert.equal(connection.readiness(), true);
    assert.ok(lines.every((line) => !line.includes("guest:guest")), "the password was logged");
  } finally {
    await connection.close();
    await proxy?.close();
  }
});

Deno.test("AmqpConnection recovers from a server-side close and loses no confirmed message", async () => {
  const queue = uniqueQueueName("restart");
  const processed = new Set<string>();
  const pair = await startPair(queue, {
    handler: (message) => {
      processed.add(message.messageId ?? "");
      return Promise.resolve();
    },
  });
  const confirmed = new Set<string>();
  let failed = 0;
  let running = true;
  let next = 0;
  const publishLoop = async () => {
    while (running) {
      const messageId = `m-${next++}`;
      try {
        await pair.publisher.publish({ body: new TextEncoder().encode("{}"), messageId });
        confirmed.add(messageId);
      } catch {
        failed += 1; // Not confirmed: the caller would have been told, so it may be lost.
        await delay(20);
      }
      await delay(2);
    }
  };
  try {
    const loops = Promise.all([publishLoop(), publishLoop(), publishLoop(), publishLoop()]);
    await waitFor("a steady run", () => processed.size >= 100);
    assert.equal(await closeConnectionsNamed(`test ${queue}`), 1);
    await waitFor("the reconnect", () => pair.connection.connectCount >= 2, {
      timeoutMs: 15_000,
    });
    await waitFor("the consumer back", () => pair.consumer?.consuming === true);
    const before = confirmed.size;
    await waitFor("publishing to resume", () => confirmed.size >= before + 100);
    running = false;
    await loops;
    await waitFor(
      "every confirmed message to be processed",
      () => [...confirmed].every((id) => processed.has(id)),
      { timeoutMs: 15_000 },
    );
    assert.ok(confirmed.size > 200, `only ${confirmed.size} confirmed (${failed} failed)`);
  } finally {
    running = false;
    await pair.close();
  }
});
