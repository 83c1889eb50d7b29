import assert from "node:assert/strict";
import { join } from "node:path";
import { ByteBudget } from "../../lib/http/byte_budget.ts";
import { createRegistry } from "../../lib/http/metrics.ts";
import { createLogger } from "../../lib/log.ts";
import { createTracingMetrics } from "../metrics.ts";
import { createPipeline } from "../pipeline/pipeline.ts";
import { openTraceStore } from "../store/store.ts";
import { sampleTraceJson } from "../testing/test_deps.ts";
import { createIngestApp } from "./otlp_app.ts";
import { WriteAheadLog } from "./wal.ts";
import { replayWal } from "./wal_replay.ts";

const TRACES = ["5b8efff798038103d269b633813fc60c", "6b8efff798038103d269b633813fc60d"];

/** The ingest path over a real SQLite file and a write-ahead log in `dir`. */
async function openIngest(dir: string) {
  const logger = createLogger({ service: "tracing", level: "error", write: () => {} });
  const store = openTraceStore(join(dir, "traces.db"));
  const wal = await WriteAheadLog.open(join(dir, "wal"), { sync: false });
  const pipeline = createPipeline({
    store,
    metrics: createTracingMetrics(createRegistry()),
    logger,
    sampling: { ratio: 1, maxTracesPerSecond: 0, latencyThresholdMs: 1000, decisionWaitMs: 50 },
    // Nothing reaches the store by itself during the test: only a flush writes.
    write: { batchSize: 10_000, flushMs: 600_000, queueMax: 100_000 },
    onSettled: (items) => wal.settle(items),
  });
  const ingest = createIngestApp({
    pipeline,
    logger,
    maxBodyBytes: 1024 * 1024,
    budget: new ByteBudget(8 * 1024 * 1024),
    wal,
  });
  return {
    store,
    wal,
    pipeline,
    ingest,
    logger,
    close() {
      pipeline.close();
      store.close();
      wal.close();
    },
  };
}

async function walFiles(dir: string): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for await (const entry of Deno.readDir(join(dir, "wal"))) {
    found[entry.name] = (await Deno.stat(join(dir, "wal", entry.name))).size;
  }
  return found;
}

Deno.test("replayWal() stores acknowledged spans that never reached the store before a crash", async () => {
  const before = await Deno.makeTempDir({ prefix: "wal_replay_" });
  const after = await Deno.makeTempDir({ prefix: "wal_replay_" });
  try {
    const first = await openIngest(before);
    for (const [i, traceId] of TRACES.entries()) {
      let body: BodyInit = JSON.stringify(sampleTraceJson(traceId));
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (i === 1) {
        body = new Blob([body]).stream().pipeThrough(new CompressionStream("gzip"));
        headers["content-encoding"] = "gzip";
      }
      const response = await first.ingest.request("/v1/traces", { method: "POST", body, headers });
      assert.equal(response.status, 200);
      await response.body?.cancel();
    }
    assert.equal(first.store.spanCount(), 0, "nothing is written before a flush");
    // What a crash leaves on disk now: the log, and a store without these spans.
    await Deno.mkdir(join(after, "wal"));
    for (const name of Object.keys(await walFiles(before))) {
      await Deno.copyFile(join(before, "wal", name), join(after, "wal", name));
    }
    first.close();
    assert.deepEqual(await walFiles(before), {}, "a clean shutdown leaves no log");

    const second = await openIngest(after);
    try {
      const outcome = await replayWal(second.wal, second);
      assert.deepEqual(outcome, { records: 2, items: 4 });
      second.pipeline.flush();
      assert.equal(second.store.spanCount(), 4);
      for (const traceId of TRACES) {
        assert.equal(second.store.getTrace(traceId)?.spans.length, 2, traceId);
      }
      assert.deepEqual(await walFiles(after), { "2.wal": 0 }, "replayed and settled");
    } finally {
      second.close();
    }
  } finally {
    await Deno.remove(before, { recursive: true });
    await Deno.remove(after, { recursive: true });
  }
});

Deno.test("POST /v1/traces answers 503 and takes nothing when the write-ahead log cannot be written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wal_broken_" });
  const ingest = await openIngest(dir);
  try {
    ingest.wal.close(); // its file handle is gone: every append fails
    const response = await ingest.ingest.request("/v1/traces", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(sampleTraceJson()),
    });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("retry-after"), "5");
    assert.match((await response.json()).message, /^The write-ahead log cannot be written/);
    ingest.pipeline.flush();
    assert.equal(ingest.store.spanCount(), 0);
  } finally {
    ingest.pipeline.close();
    ingest.store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("replayWal() applies the span time rule to what an older build logged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wal_times_" });
  try {
    // A record as a build without the rule logged it: one span ending at 2^64-1 ns.
    const json = sampleTraceJson(TRACES[0]) as {
      resourceSpans: { scopeSpans: { spans: { endTimeUnixNano: string }[] }[] }[];
    };
    json.resourceSpans[0]!.scopeSpans[0]!.spans[1]!.endTimeUnixNano = "18446744073709551615";
    const old = await WriteAheadLog.open(join(dir, "wal"), { sync: false });
    old.append(
      {
        signal: "traces",
        encoding: "json",
        payload: new TextEncoder().encode(JSON.stringify(json)),
      },
      [{}, {}],
    );
    const copy = await Deno.makeTempDir({ prefix: "wal_times_" });
    await Deno.mkdir(join(copy, "wal"));
    for await (const entry of Deno.readDir(join(dir, "wal"))) {
      await Deno.copyFile(join(dir, "wal", entry.name), join(copy, "wal", entry.name));
    }
    old.close();
    const replay = await openIngest(copy);
    try {
      assert.deepEqual(await replayWal(replay.wal, replay), { records: 1, items: 1 });
      replay.pipeline.flush();
      assert.equal(replay.store.spanCount(), 1, "the plausible span only");
      const metrics = await replay.pipeline.metrics.rejected.get();
      assert.deepEqual(
        metrics.values.filter((v) => v.labels.reason === "time").map((v) => v.value),
        [1],
      );
    } finally {
      replay.close();
      await Deno.remove(copy, { recursive: true });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
