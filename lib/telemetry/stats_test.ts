import assert from "node:assert/strict";
import { waitFor } from "../testing/wait.ts";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { trace, TraceFlags } from "@opentelemetry/api";
import { AlwaysOnSampler } from "@opentelemetry/sdk-trace";
import { ExportGate } from "./export_gate.ts";
import { PooledIdGenerator } from "./id_generator.ts";
import { Level2Tracer } from "./level2_tracer.ts";
import { SpanPipelineCounters } from "./stats.ts";

/** An exporter that holds every export until the test settles it. */
class HeldExporter implements SpanExporter {
  readonly pending: { spans: ReadableSpan[]; done: (result: ExportResult) => void }[] = [];

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.pending.push({ spans, done });
  }

  settle(result: ExportResult): number {
    const next = this.pending.shift();
    assert.ok(next !== undefined, "no export is waiting");
    next.done(result);
    return next.spans.length;
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

Deno.test("SpanPipelineCounters counts drops, exports and failures of a real BatchSpanProcessor", async () => {
  const counters = new SpanPipelineCounters();
  const exporter = new HeldExporter();
  const results: ExportResult[] = [];
  const processor = new BatchSpanProcessor({
    exporter: counters.countingExporter(exporter, (result) => results.push(result)),
    maxQueueSize: 2,
    maxExportBatchSize: 2,
    scheduledDelayMillis: 60_000,
    exportTimeoutMillis: 60_000,
    selfObsMeterProvider: counters.meterProvider,
  });
  const provider = new TracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer("test");
  try {
    assert.deepEqual(counters.snapshot(), {
      exported: 0,
      exportFailed: 0,
      dropped: 0,
      queued: 0,
      queueCapacity: 2,
      shed: 0,
      shedBridged: 0,
      exportProbes: 0,
    });

    // Two spans fill a batch, which goes to the exporter and stays there.
    for (let i = 0; i < 2; i++) tracer.startSpan(`a${i}`).end();
    assert.equal(exporter.pending.length, 1);
    // Two more fill the queue behind it; the next three find it full.
    for (let i = 0; i < 5; i++) tracer.startSpan(`b${i}`).end();
    assert.deepEqual(counters.snapshot(), {
      exported: 0,
      exportFailed: 0,
      dropped: 3,
      queued: 2,
      queueCapacity: 2,
      shed: 0,
      shedBridged: 0,
      exportProbes: 0,
    });

    assert.equal(exporter.settle({ code: ExportResultCode.SUCCESS }), 2);
    await waitFor("the queued batch to be exported", () => exporter.pending.length === 1);
    assert.equal(
      exporter.settle({ code: ExportResultCode.FAILED, error: new Error("collector down") }),
      2,
    );
    await waitFor("the failure to be counted", () => counters.snapshot().exportFailed === 2);
    assert.deepEqual(counters.snapshot(), {
      exported: 2,
      exportFailed: 2,
      dropped: 3,
      queued: 0,
      queueCapacity: 2,
      shed: 0,
      shedBridged: 0,
      exportProbes: 0,
    });
    assert.deepEqual(results.map((result) => result.code), [
      ExportResultCode.SUCCESS,
      ExportResultCode.FAILED,
    ]);
  } finally {
    await provider.shutdown();
  }
});

Deno.test("with an ExportGate, a full queue sheds whole new traces until exports drain it", async () => {
  const gate = new ExportGate({ initialBackoffMs: 60_000 });
  const counters = new SpanPipelineCounters(gate);
  const exporter = new HeldExporter();
  const processor = new BatchSpanProcessor({
    exporter: counters.countingExporter(exporter),
    maxQueueSize: 2,
    maxExportBatchSize: 2,
    scheduledDelayMillis: 60_000,
    exportTimeoutMillis: 60_000,
    selfObsMeterProvider: counters.meterProvider,
  });
  const sampler = new AlwaysOnSampler();
  const idGenerator = new PooledIdGenerator();
  const provider = new TracerProvider({ sampler, idGenerator, spanProcessors: [processor] });
  const tracer = new Level2Tracer(provider.getTracer("test"), { sampler, idGenerator, gate });
  try {
    // One batch at the exporter, one in the queue, then the first overflow shuts the gate.
    for (let i = 0; i < 5; i++) tracer.startSpan(`a${i}`).end();
    assert.equal(counters.snapshot().dropped, 1);
    assert.equal(gate.isOpen, false);

    // New traces are not recorded now, but their context still propagates, still sampled.
    const shedRoot = tracer.startSpan("shed");
    assert.equal(shedRoot.isRecording(), false);
    assert.equal(trace.isSpanContextValid(shedRoot.spanContext()), true);
    assert.equal(shedRoot.spanContext().traceFlags & TraceFlags.SAMPLED, TraceFlags.SAMPLED);
    shedRoot.end();
    assert.deepEqual(
      { dropped: counters.snapshot().dropped, shed: counters.snapshot().shed },
      { dropped: 1, shed: 1 },
    );

    // A successful export that leaves the queue full keeps the gate shut...
    exporter.settle({ code: ExportResultCode.SUCCESS });
    await waitFor("the queued batch to be exported", () => exporter.pending.length === 1);
    assert.equal(gate.isOpen, false);
    assert.equal(tracer.startSpan("still shed").isRecording(), false);
    // ...and one that drains it opens the gate again.
    exporter.settle({ code: ExportResultCode.SUCCESS });
    await waitFor("the gate to open", () => gate.isOpen);
    assert.equal(tracer.startSpan("after").isRecording(), true);
    assert.deepEqual(
      { dropped: counters.snapshot().dropped, shed: counters.snapshot().shed },
      { dropped: 1, shed: 2 },
    );
  } finally {
    await provider.shutdown();
  }
});

Deno.test("SpanPipelineCounters.countingExporter() passes shutdown and forceFlush through", async () => {
  const calls: string[] = [];
  const inner: SpanExporter = {
    export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
    shutdown: () => {
      calls.push("shutdown");
      return Promise.resolve();
    },
    forceFlush: () => {
      calls.push("forceFlush");
      return Promise.resolve();
    },
  };
  const counting = new SpanPipelineCounters().countingExporter(inner);
  await counting.forceFlush?.();
  await counting.shutdown();
  assert.deepEqual(calls, ["forceFlush", "shutdown"]);
});
