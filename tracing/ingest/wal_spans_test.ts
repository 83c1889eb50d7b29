import assert from "node:assert/strict";
import { join } from "node:path";
import { createRegistry } from "../../lib/http/metrics.ts";
import { createLogger } from "../../lib/log.ts";
import { createTracingMetrics } from "../metrics.ts";
import { createPipeline } from "../pipeline/pipeline.ts";
import { OpenSpans } from "../span_api/open_spans.ts";
import { type SpanRecord, STATUS_ERROR, toKeyValues } from "../span_model.ts";
import { openTraceStore } from "../store/store.ts";
import { normalizeTraces } from "./otlp_normalize.ts";
import { readSegment, WriteAheadLog } from "./wal.ts";
import { acceptLoggedSpans, spansRecord } from "./wal_spans.ts";

/** A span ended through the span API, with a remote parent, attributes, an event and an error. */
function spanApiSpan(): SpanRecord {
  const ended: SpanRecord[] = [];
  const spans = new OpenSpans({ ttlMs: 60_000, maxOpen: 10, finish: (span) => ended.push(span) });
  const { span_id } = spans.start({
    service: "shop",
    name: "checkout",
    kind: 2,
    remoteParent: { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" },
    startNs: 1_700_000_000_123_456_789n,
    attributes: toKeyValues({ "cart.items": 3, ratio: 0.5, vip: true, tags: ["a", "b"] }),
  });
  spans.addEvent(span_id, {
    name: "retry",
    timeNs: 1_700_000_000_200_000_000n,
    attributes: toKeyValues({ attempt: 2 }),
  });
  spans.end(span_id, { endNs: 1_700_000_000_300_000_001n, status: STATUS_ERROR, message: "boom" });
  spans.close();
  assert.equal(ended.length, 1);
  return ended[0]!;
}

Deno.test("spansRecord() logs span API spans as OTLP JSON that normalizes back to the same spans", () => {
  const span = spanApiSpan();
  const record = spansRecord([span]);
  assert.equal(record.signal, "traces");
  assert.equal(record.encoding, "json");
  const back = normalizeTraces(JSON.parse(new TextDecoder().decode(record.payload)), "hex");
  assert.equal(back.rejected, 0);
  assert.deepEqual(back.items, [span]);
});

Deno.test("acceptLoggedSpans() logs a span before the pipeline takes it, and settles it once written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wal_spans_" });
  const logger = createLogger({ service: "tracing", level: "error", write: () => {} });
  const store = openTraceStore(":memory:");
  const wal = await WriteAheadLog.open(dir, { sync: false });
  const pipeline = createPipeline({
    store,
    metrics: createTracingMetrics(createRegistry()),
    logger,
    sampling: { ratio: 1, maxTracesPerSecond: 0, latencyThresholdMs: 1000, decisionWaitMs: 50 },
    write: { batchSize: 100, flushMs: 600_000, queueMax: 100 },
    onSettled: (items) => wal.settle(items),
  });
  try {
    const span = spanApiSpan();
    assert.equal(acceptLoggedSpans([span], { pipeline, wal, logger }), true);
    const logged = await readSegment(join(dir, "1.wal"));
    assert.equal(logged.records.length, 1);
    pipeline.flush();
    assert.equal(store.spanCount(), 1);
    assert.equal(wal.bytes(), 0);
  } finally {
    pipeline.close();
    store.close();
    wal.close();
    await Deno.remove(dir, { recursive: true });
  }
});
