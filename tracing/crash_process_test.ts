import assert from "node:assert/strict";
import { jsonInit } from "../lib/testing/http.ts";
import { sampleTraceJson } from "./testing/test_deps.ts";
import { startTracingProcess, type TracingProcess } from "./testing/service.ts";

const REQUESTS = 60;

function traceIdFor(run: string, i: number): string {
  return `${run}${i.toString(16).padStart(8, "0")}`.padStart(32, "a");
}

/** Sends `REQUESTS` OTLP requests of one two-span trace each, ten at a time; all must be 200. */
async function sendTraces(tracing: TracingProcess, run: string): Promise<string[]> {
  const ids = Array.from({ length: REQUESTS }, (_, i) => traceIdFor(run, i));
  for (let i = 0; i < ids.length; i += 10) {
    await Promise.all(
      ids.slice(i, i + 10).map(async (traceId) => {
        const response = await fetch(`${tracing.otlpEndpoint}/v1/traces`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(sampleTraceJson(traceId)),
        });
        assert.equal(response.status, 200, await response.text());
      }),
    );
  }
  return ids;
}

/** A two-span trace through the span API, both ended (200) before this resolves. */
async function sendSpanApiTrace(tracing: TracingProcess, run: string): Promise<string> {
  const traceId = traceIdFor(`f${run}`, 0);
  const post = async (path: string, body: unknown, status: number) => {
    const response = await fetch(`${tracing.queryUrl}${path}`, jsonInit("POST", body));
    assert.equal(response.status, status, await response.clone().text());
    return await response.json();
  };
  const root = await post("/api/v1/spans", {
    service: "kiosk",
    name: "checkout",
    traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
  }, 201);
  const child = await post("/api/v1/spans", {
    service: "kiosk",
    name: "print receipt",
    parent_span_id: root.span_id,
  }, 201);
  await post(`/api/v1/spans/${child.span_id}/end`, {}, 200);
  await post(`/api/v1/spans/${root.span_id}/end`, { status: "ok" }, 200);
  return traceId;
}

async function storedSpans(tracing: TracingProcess): Promise<number> {
  const response = await fetch(`${tracing.queryUrl}/api/v1/health`);
  return (await response.json()).spans_stored;
}

async function restartAfterKill(
  dataDir: string,
  env: Record<string, string>,
  run: string,
): Promise<{ sent: string[]; restarted: TracingProcess }> {
  const first = await startTracingProcess({ dataDir, env });
  let sent: string[];
  try {
    sent = [...await sendTraces(first, run), await sendSpanApiTrace(first, run)];
  } finally {
    await first.kill();
  }
  return { sent, restarted: await startTracingProcess({ dataDir, env }) };
}

Deno.test("the tracing process keeps every acknowledged span through a SIGKILL", async (t) => {
  // Tail sampling holds spans 2 s, then writes wait for a full batch or 10 s: only the
  // write-ahead log can save these spans.
  const slowWrites = {
    WRITE_FLUSH_MS: "10000",
    WRITE_BATCH_SIZE: "100000",
    SAMPLING_RATIO: "0.99",
  };
  await t.step("spans not yet written when killed are replayed at restart", async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "tracing_kill_" });
    const { sent, restarted } = await restartAfterKill(dataDir, slowWrites, "1");
    try {
      assert.equal(await storedSpans(restarted), 2 * sent.length);
      for (const traceId of sent) {
        const trace = await restarted.ownTrace(traceId);
        assert.equal(trace?.span_count, 2, `trace ${traceId}`);
      }
      // 60 OTLP requests and the 2 span API spans, each logged as it ended.
      assert.match(
        restarted.output(),
        /"msg":"Replayed the write-ahead log","records":62,"items":122/,
      );
    } finally {
      await restarted.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  });
  await t.step("with the default write timing", async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "tracing_kill_" });
    const { sent, restarted } = await restartAfterKill(dataDir, {}, "2");
    try {
      assert.equal(await storedSpans(restarted), 2 * sent.length);
      for (const traceId of sent) {
        assert.equal((await restarted.ownTrace(traceId))?.span_count, 2, `trace ${traceId}`);
      }
    } finally {
      await restarted.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  });
  await t.step("without the write-ahead log the same crash loses them (control)", async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "tracing_kill_" });
    const env = { ...slowWrites, WAL_ENABLED: "false" };
    const { restarted } = await restartAfterKill(dataDir, env, "3");
    try {
      // All of them unless the machine was so slow that a 10 s flush came in between.
      const stored = await storedSpans(restarted);
      assert.ok(stored < 2 * (REQUESTS + 1), `${stored} spans stored`);
    } finally {
      await restarted.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  });
});
