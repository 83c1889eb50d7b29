/**
 * Fault: SIGTERM while requests keep coming. Promise: the service stops accepting, answers what
 * it accepted, and has stored exactly what it answered. (order, producer and consumer under
 * SIGTERM are covered by e2e/telemetry_resilience_process_test.ts and
 * e2e/messaging_shutdown_process_test.ts.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startServiceProcess } from "../../lib/testing/service_process.ts";
import { isShuttingDown, requestJson } from "../../lib/testing/http.ts";
import { reportFigures, startLoad } from "./_load.ts";
import { waitFor } from "../../lib/testing/wait.ts";
import { startTracingOnPorts } from "./_tracing.ts";

/** Rows of `sql`'s first column in the SQLite file at `path`. */
function column(path: string, sql: string): string[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(sql).all().map((row) => String(Object.values(row)[0]));
  } finally {
    db.close();
  }
}

Deno.test("user under load stores exactly the users it answered 201 when SIGTERM arrives", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "faults-user-" });
  const user = await startServiceProcess({ service: "user", dataDir });
  try {
    const load = startLoad(8, (i) => {
      const username = `u${i}-${crypto.randomUUID().slice(0, 8)}`;
      const body = { username, email: `${username}@example.com`, full_name: username };
      return requestJson(`${user.url}/users`, { body }).then((answer) => {
        // Arrived while the service drained: refused like a closed port.
        if (isShuttingDown(answer)) throw new Error("503 shutting_down");
        return { username, ...answer };
      });
    });
    await waitFor("a steady load", () => load.answered() >= 150, { timeoutMs: 20_000 });
    assert.equal(await user.stop("SIGTERM"), 0);
    await load.stop();

    const answers = load.outcomes.flatMap((o) => o.answered ? [o.value] : []);
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([201]));
    const refused = load.outcomes.length - answers.length;
    assert.ok(refused > 0, "requests after the stop are refused, not accepted");
    const stored = column(join(dataDir, "users.db"), "SELECT username FROM users");
    assert.deepEqual(new Set(stored), new Set(answers.map((a) => a.username)));
    assert.equal(stored.length, answers.length, "every answered user is stored, and only those");
    reportFigures("sigterm_user", { answered_201: answers.length, stored: stored.length, refused });
  } finally {
    await user.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** An OTLP/HTTP JSON export of `count` spans of one new trace; returns the body and span ids. */
function otlpExport(count: number): { body: string; traceId: string; spanIds: string[] } {
  const hex = (bytes: number) =>
    Array.from(
      crypto.getRandomValues(new Uint8Array(bytes)),
      (b) => b.toString(16).padStart(2, "0"),
    )
      .join("");
  const traceId = hex(16);
  const spanIds = Array.from({ length: count }, () => hex(8));
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = spanIds.map((spanId, i) => ({
    traceId,
    spanId,
    parentSpanId: i === 0 ? "" : spanIds[0],
    name: i === 0 ? "GET /load" : "SELECT items",
    kind: i === 0 ? 2 : 3,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
  }));
  const body = JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: "load" } }] },
      scopeSpans: [{ scope: { name: "faults" }, spans }],
    }],
  });
  return { body, traceId, spanIds };
}

Deno.test("tracing under OTLP load stores every span it acknowledged when SIGTERM arrives", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "faults-tracing-" });
  const { process: tracing, otlpUrl } = await startTracingOnPorts({ dataDir });
  try {
    const load = startLoad(4, async () => {
      const { body, traceId, spanIds } = otlpExport(5);
      const response = await fetch(`${otlpUrl}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      if (response.status === 503) {
        const answer = { status: 503, body: await response.json().catch(() => null) };
        if (isShuttingDown(answer)) throw new Error("503 shutting_down");
      } else await response.body?.cancel();
      return { status: response.status, traceId, spanIds };
    });
    await waitFor("a steady load", () => load.answered() >= 200, { timeoutMs: 20_000 });
    assert.equal(await tracing.stop("SIGTERM"), 0);
    await load.stop();

    const answers = load.outcomes.flatMap((o) => o.answered ? [o.value] : []);
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    const acknowledged = new Set(
      answers.flatMap((a) => a.spanIds.map((id) => `${a.traceId}:${id}`)),
    );
    const stored = new Set(
      column(join(dataDir, "traces.db"), "SELECT trace_id || ':' || span_id FROM spans"),
    );
    const lost = [...acknowledged].filter((id) => !stored.has(id));
    reportFigures("sigterm_tracing", {
      acknowledged_spans: acknowledged.size,
      stored_spans: stored.size,
      lost: lost.length,
    });
    assert.equal(lost.length, 0, `${lost.length} of ${acknowledged.size} acknowledged spans lost`);
    assert.equal(stored.size, acknowledged.size, "stored spans nobody was told were accepted");
  } finally {
    await tracing.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
