/**
 * `deno task dev` stops cleanly both ways a person stops it: a terminal's Ctrl-C (SIGINT to the
 * whole process group at once) and a signal to the task's process alone. The task runs in a
 * process group of its own here, so the group signal reaches it and not the test. An order and a
 * message sent just before the stop must be stored whole, and no warning may be logged.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { DatabaseSync } from "node:sqlite";
import { connectOrFail, deleteQueues, uniqueQueueName } from "../lib/testing/amqp.ts";
import { requestJson } from "../lib/testing/http.ts";
import { REPO_ROOT } from "../lib/testing/service_process.ts";
import { waitFor } from "../lib/testing/wait.ts";
import { textLines } from "../lib/text_lines.ts";
import { SERVICE_SPECS } from "./service_specs.ts";

const SERVICES = ["tracing", "user", "order", "producer", "consumer"] as const;
const OTLP_PORT = 4318;

/** A port offset at which every service's default port (and tracing's OTLP port) is free. */
function freePortOffset(): number {
  const ports = [...SERVICES.map((name) => SERVICE_SPECS[name].port), OTLP_PORT];
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below 32768, Linux's first ephemeral port, so outgoing connections do not take them.
    const offset = 10_000 + Math.floor(Math.random() * 6_000);
    const listeners: Deno.Listener[] = [];
    try {
      for (const port of ports) listeners.push(Deno.listen({ port: port + offset }));
      return offset;
    } catch {
      // taken: try another offset
    } finally {
      for (const listener of listeners) listener.close();
    }
  }
  throw new Error("No free port offset for deno task dev");
}

/** `deno task dev` in a process group of its own, its output collected as JSON records. */
function startDev(env: Record<string, string>) {
  const child = spawn(Deno.execPath(), ["task", "dev"], {
    cwd: REPO_ROOT,
    env: { ...Deno.env.toObject(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // setsid: its own session and process group, whose id is its pid
  });
  const lines: string[] = [];
  let running = true;
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  exited.then(() => running = false);
  const read = [child.stdout!, child.stderr!].map(async (stream) => {
    for await (const line of textLines(Readable.toWeb(stream) as ReadableStream<Uint8Array>)) {
      // deno-lint-ignore no-control-regex
      lines.push(line.replace(/\x1b\[[0-9;]*m/g, ""));
    }
  });
  return {
    pid: child.pid!,
    lines,
    exited: Promise.all(read).then(() => exited),
    /** Whether the task is still running. */
    running: () => running,
  };
}

/** The JSON log records of the output, each with the service whose prefix it carried. */
function records(
  lines: readonly string[],
): { service: string; level: string; msg: string; api?: string }[] {
  return lines.flatMap((line) => {
    const match = /^(\w+)\s+\| (\{.*\})$/.exec(line);
    if (match === null) return [];
    return [{ ...JSON.parse(match[2]!), service: match[1]! }];
  });
}

/** Every pid of `deno task dev`'s processes, from its "Started" line, to clean up after a failure. */
function startedPids(lines: readonly string[]): number[] {
  const started = lines.find((line) => line.startsWith("Started "));
  return [...(started ?? "").matchAll(/pid (\d+)/g)].map((match) => Number(match[1]));
}

function killAll(pgid: number, lines: readonly string[]): void {
  for (const pid of [-pgid, ...startedPids(lines)]) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

for (const way of ["group", "process"] as const) {
  const title = way === "group"
    ? "a terminal's Ctrl-C (SIGINT to the whole process group)"
    : "SIGINT to the task's process alone";
  Deno.test(`deno task dev stops cleanly on ${title}: no warning, no span lost`, async () => {
    await (await connectOrFail()).close();
    const offset = freePortOffset();
    const url = (service: (typeof SERVICES)[number]) =>
      `http://127.0.0.1:${SERVICE_SPECS[service].port + offset}`;
    const run = crypto.randomUUID().slice(0, 8);
    const dataDir = `./data/dev-stop-${run}`;
    const queue = uniqueQueueName("dev-stop");
    const dev = startDev({
      DEV_PORT_OFFSET: String(offset),
      DATA_DIR: dataDir,
      QUEUE_NAME: queue,
      WORK_HIGH_MS: "0",
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
    });
    try {
      for (const service of SERVICES) {
        await waitFor(`${service} to answer /health`, async () => {
          try {
            return (await requestJson(`${url(service)}/health`)).status === 200;
          } catch {
            return false;
          }
        }, { timeoutMs: 60_000, intervalMs: 200 });
      }
      await waitFor("producer and consumer to be ready", async () => {
        const ready = await Promise.all(
          (["producer", "consumer"] as const).map((s) => requestJson(`${url(s)}/ready`)),
        );
        return ready.every((r) => r.status === 200);
      }, { timeoutMs: 30_000, intervalMs: 200 });

      // A message processed just now, and an order answered the moment before the stop: their
      // spans are still in the services' batch queues when the signal comes.
      const user = await requestJson(`${url("user")}/users`, {
        body: { username: `ada${run}`, email: "ada@example.com", full_name: "Ada Lovelace" },
      });
      assert.equal(user.status, 201);
      const sent = await requestJson(`${url("producer")}/send`, {
        body: { content: "just before the stop", priority: "high" },
      });
      assert.equal(sent.status, 202);
      await waitFor("the consumer to process the message", async () => {
        const stats = await requestJson(`${url("consumer")}/stats`);
        return stats.body.processed_messages === 1;
      });
      const order = await requestJson(`${url("order")}/orders`, {
        body: { username: `ada${run}`, item: "analytical engine", quantity: 1, unit_price: 1 },
      });
      assert.equal(order.status, 201);
      Deno.kill(way === "group" ? -dev.pid : dev.pid, "SIGINT");

      const code = await Promise.race([
        dev.exited,
        new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 40_000)),
      ]);
      assert.notEqual(code, "hung", `deno task dev did not stop:\n${dev.lines.join("\n")}`);
      const log = records(dev.lines);
      const complaints = log.filter((r) => r.level === "warn" || r.level === "error");
      assert.deepEqual(complaints, [], "a clean stop logs no warning");
      assert.ok(!dev.lines.some((line) => /killed/.test(line)), dev.lines.join("\n"));

      const otlpListening = log.findIndex((r) => r.msg === "Listening" && r.api === "otlp");
      const firstOther = log.findIndex((r) => r.service !== "tracing");
      assert.ok(
        otlpListening >= 0 && otlpListening < firstOther,
        "the others start once tracing listens",
      );
      const stopped = log.filter((r) => r.msg === "Stopped").map((r) => r.service);
      assert.equal(stopped.length, SERVICES.length, `every service stopped: ${stopped}`);
      assert.equal(stopped.at(-1), "tracing", "tracing stops last");
      const tracingStop = log.findIndex((r) =>
        r.service === "tracing" && r.msg === "Shutting down"
      );
      const lastOtherStop = log.findLastIndex((r) =>
        r.service !== "tracing" && r.msg === "Stopped"
      );
      assert.ok(lastOtherStop < tracingStop, "tracing starts to stop once the others have");

      const db = new DatabaseSync(`${REPO_ROOT}/${dataDir}/traces.db`, { readOnly: true });
      try {
        const spans = (traceId: string) =>
          (db.prepare("SELECT service, operation FROM spans WHERE trace_id = ?").all(traceId) as {
            service: string;
            operation: string;
          }[]).map((s) => `${s.service} ${s.operation}`).sort();
        assert.deepEqual(spans(order.traceId!), [
          "order GET",
          "order INSERT orders",
          "order POST /orders",
          "user GET /users/:username",
          "user SELECT users",
        ]);
        assert.deepEqual(spans(sent.body.trace_id), [
          `consumer process ${queue}`,
          "producer POST /send",
          `producer send ${queue}`,
        ]);
      } finally {
        db.close();
      }
    } finally {
      if (dev.running()) killAll(dev.pid, dev.lines); // a failed stop leaves nothing behind
      await dev.exited;
      await Deno.remove(`${REPO_ROOT}/${dataDir}`, { recursive: true }).catch(() => {});
      await deleteQueues(queue);
    }
  });
}
