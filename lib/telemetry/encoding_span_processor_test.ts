import assert from "node:assert/strict";
import { ROOT_CONTEXT, TraceFlags } from "@opentelemetry/api";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import {
  AlwaysOffSampler,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import root from "otlp-proto";
import { delay } from "../testing/wait.ts";
import {
  EncodingSpanProcessor,
  type EncodingSpanProcessorOptions,
} from "./encoding_span_processor.ts";
import type { EncodedSpans } from "./otlp_protobuf_traces.ts";
import { SpanPipelineCounters } from "./stats.ts";

// deno-lint-ignore no-explicit-any -- the generated module has no types for the root object
const Request = (root as any).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const decode = (bytes: Uint8Array) =>
  Request.toObject(Request.decode(bytes), { longs: String, bytes: String, defaults: true });

/** An exporter that keeps each batch and its callback; it answers only when told to. */
class HeldExporter {
  readonly batches: EncodedSpans[] = [];
  readonly answers: ((result: ExportResult) => void)[] = [];
  answerAtOnce = false;

  export(batch: EncodedSpans, done: (result: ExportResult) => void): void {
    this.batches.push(batch);
    if (this.answerAtOnce) done({ code: ExportResultCode.SUCCESS });
    else this.answers.push(done);
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A provider whose spans go to the processor under test and, as objects, to `spans`. */
function setUp(options: Partial<EncodingSpanProcessorOptions> = {}) {
  const exporter = new HeldExporter();
  const counters = new SpanPipelineCounters();
  const processor = new EncodingSpanProcessor({
    exporter,
    maxQueueSize: 2048,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 60_000,
    exportTimeoutMillis: 60_000,
    maxQueueBytes: 4 * 1024 * 1024,
    selfObsMeterProvider: counters.meterProvider,
    ...options,
  });
  const spans = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [processor, new SimpleSpanProcessor({ exporter: spans })],
  });
  const tracer = provider.getTracer("test", "1.0.0");
  const record = (count: number) => {
    for (let i = 0; i < count; i++) {
      const span = tracer.startSpan(`span ${i}`, {
        attributes: { "db.query.text": "SELECT * FROM users WHERE username = ?", index: i },
      }, ROOT_CONTEXT);
      span.addEvent("read", { rows: 1 });
      span.end();
    }
  };
  return { exporter, counters, processor, spans, provider, record };
}

const official = (spans: ReadableSpan[]) =>
  decode(ProtobufTraceSerializer.serializeRequest(spans)!);

Deno.test("EncodingSpanProcessor exports what the official serializer encodes, in batches", async () => {
  const { exporter, processor, spans, record } = setUp();
  exporter.answerAtOnce = true;
  record(1200);
  await processor.forceFlush();
  const ended = spans.getFinishedSpans();
  assert.deepEqual(exporter.batches.map((batch) => batch.spans), [512, 512, 176]);
  let from = 0;
  for (const batch of exporter.batches) {
    assert.deepStrictEqual(
      decode(batch.bytes),
      official(ended.slice(from, from + batch.spans)),
    );
    from += batch.spans;
  }
  assert.equal(processor.queuedBytes, 0);
});

Deno.test("EncodingSpanProcessor queues no unsampled span", async () => {
  const { exporter, processor } = setUp();
  const provider = new TracerProvider({
    sampler: new AlwaysOffSampler(),
    spanProcessors: [processor],
  });
  const span = provider.getTracer("test").startSpan("unsampled");
  assert.equal(span.spanContext().traceFlags & TraceFlags.SAMPLED, 0);
  span.end();
  assert.equal(processor.queuedSpans, 0);
  await processor.forceFlush();
  assert.deepEqual(exporter.batches, []);
});

Deno.test("EncodingSpanProcessor never queues more bytes than its bound, and counts what it drops", async (t) => {
  const maxQueueBytes = 40_000;
  const { exporter, counters, processor, record } = setUp({
    maxQueueBytes,
    maxExportBatchSize: 20,
    exportTimeoutMillis: 1,
  });
  await t.step("while the collector never answers", () => {
    let most = 0;
    for (let i = 0; i < 50; i++) {
      record(20);
      most = Math.max(most, processor.queuedBytes);
    }
    assert.ok(most <= maxQueueBytes, `${most} bytes queued`);
    assert.ok(most > maxQueueBytes * 0.9, `the bound was reached: ${most} bytes`);
    const stats = counters.snapshot();
    assert.equal(exporter.batches.length, 1, "one export at a time");
    const queued = exporter.batches[0]!.spans + processor.queuedSpans;
    assert.equal(stats.dropped, 1000 - queued, "every span not queued is counted");
    assert.ok(stats.dropped > 0);
  });

  await t.step(
    "an export abandoned after its timeout keeps its bytes until it answers",
    async () => {
      await delay(20);
      assert.ok(exporter.batches.length > 1, "the next batch went out after the timeout");
      assert.ok(processor.queuedBytes <= maxQueueBytes);
      const before = processor.queuedBytes;
      exporter.answers[0]!({ code: ExportResultCode.FAILED, error: new Error("late") });
      assert.ok(processor.queuedBytes < before, "its bytes are freed once it answers");
    },
  );

  await t.step("once the collector answers, the queue drains and takes spans again", async () => {
    exporter.answerAtOnce = true;
    for (const answer of exporter.answers.splice(0)) answer({ code: ExportResultCode.SUCCESS });
    await processor.forceFlush();
    assert.equal(processor.queuedBytes, 0);
    const dropped = counters.snapshot().dropped;
    record(5);
    assert.equal(processor.queuedSpans, 5);
    assert.equal(counters.snapshot().dropped, dropped);
    await processor.shutdown();
  });
});

Deno.test("EncodingSpanProcessor drops spans past its span count, as the SDK's processor does", async () => {
  const { counters, processor, record } = setUp({
    maxQueueSize: 30,
    maxExportBatchSize: 10,
    exportTimeoutMillis: 1,
  });
  record(100);
  // 10 in the export that never answers, 30 waiting.
  assert.equal(processor.queuedSpans, 30);
  assert.equal(counters.snapshot().dropped, 60);
  assert.equal(counters.snapshot().queued, 30);
  assert.equal(counters.snapshot().queueCapacity, 30);
  await processor.shutdown();
});

Deno.test("EncodingSpanProcessor.shutdown() exports what is queued and then takes no span", async () => {
  const { exporter, processor, record } = setUp();
  exporter.answerAtOnce = true;
  record(3);
  await processor.shutdown();
  assert.deepEqual(exporter.batches.map((batch) => batch.spans), [3]);
  record(2);
  await processor.forceFlush();
  assert.equal(processor.queuedSpans, 0);
  assert.equal(exporter.batches.length, 1);
});
