/**
 * A batch span processor that encodes each sampled span to OTLP/protobuf as it ends
 * (`EncodedSpanRuns`) and queues bytes, not span objects. The SDK's `BatchSpanProcessor` keeps
 * every span object, with its attributes, events and context, until its batch goes out (up to
 * `OTEL_BSP_SCHEDULE_DELAY`, a second): long enough to survive the young generation's collections
 * and be copied into old space. Here a span can die with its request, while its fields are still
 * in the CPU's caches; what waits is a few hundred bytes per span.
 *
 * Batching follows the SDK's: a batch goes out when it holds `maxExportBatchSize` spans or
 * `scheduledDelayMillis` after its first span, one export at a time. The queue is bounded twice:
 * by spans waiting (`maxQueueSize`, as the SDK) and by bytes (`maxQueueBytes`): the encoded spans
 * waiting plus those of exports not yet answered, even one abandoned after `exportTimeoutMillis`,
 * so a collector that hangs cannot make memory grow. A span past either bound is dropped and
 * counted. Drops, capacity and queue size go to the same self-observability instruments as the
 * SDK's processor (`otel.sdk.processor.span.*`), which `SpanPipelineCounters` reads.
 */
import { context, createNoopMeter, type MeterProvider, TraceFlags } from "@opentelemetry/api";
import {
  type ExportResult,
  ExportResultCode,
  globalErrorHandler,
  suppressTracing,
} from "@opentelemetry/core";
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace";
import { EncodedSpanRuns, type EncodedSpans } from "./otlp_protobuf_traces.ts";

/** Where encoded batches go (`OtlpEncodedTraceExporter`). */
export interface EncodedSpanExporter {
  export(batch: EncodedSpans, done: (result: ExportResult) => void): void;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Settings of `EncodingSpanProcessor`; the first four are the `OTEL_BSP_*` ones. */
export interface EncodingSpanProcessorOptions {
  exporter: EncodedSpanExporter;
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
  /** Encoded span bytes waiting or being exported, at most. */
  maxQueueBytes: number;
  /** Receives the `otel.sdk.processor.span.*` instruments. */
  selfObsMeterProvider?: MeterProvider;
}

interface Batch {
  request: EncodedSpans;
  /** Encoded span bytes, as the bound counts them. */
  bytes: number;
}

/** Encodes spans as they end and exports them in batches of bytes. */
export class EncodingSpanProcessor implements SpanProcessor {
  readonly #options: EncodingSpanProcessorOptions;
  readonly #open = new EncodedSpanRuns();
  readonly #ready: Batch[] = [];
  readonly #dropped: (count: number) => void;
  #readySpans = 0;
  #readyBytes = 0;
  #exportingBytes = 0;
  #exporting = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #idle: (() => void)[] = [];
  #shutdown: Promise<void> | undefined;

  constructor(options: EncodingSpanProcessorOptions) {
    this.#options = {
      ...options,
      maxExportBatchSize: Math.min(options.maxExportBatchSize, options.maxQueueSize),
    };
    const meter = (options.selfObsMeterProvider?.getMeter("@opentelemetry/sdk-trace")) ??
      createNoopMeter();
    const processed = meter.createCounter("otel.sdk.processor.span.processed");
    const dropped = { "error.type": "queue_full" };
    this.#dropped = (count) => processed.add(count, dropped);
    meter.createUpDownCounter("otel.sdk.processor.span.queue.capacity").add(options.maxQueueSize);
    meter.createObservableUpDownCounter("otel.sdk.processor.span.queue.size")
      .addCallback((result) => result.observe(this.queuedSpans));
  }

  /** Spans waiting to be exported. */
  get queuedSpans(): number {
    return this.#readySpans + this.#open.spans;
  }

  /** Encoded span bytes waiting or being exported; never more than `maxQueueBytes`. */
  get queuedBytes(): number {
    return this.#open.bytes + this.#readyBytes + this.#exportingBytes;
  }

  /** How full the queue is, from 0 to 1, by spans or by bytes, whichever is fuller. */
  fill(): number {
    const { maxQueueSize, maxQueueBytes } = this.#options;
    return Math.max(this.queuedSpans / maxQueueSize, this.queuedBytes / maxQueueBytes);
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#shutdown !== undefined) return;
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    const { maxQueueSize, maxQueueBytes, maxExportBatchSize } = this.#options;
    const room = maxQueueBytes - this.#readyBytes - this.#exportingBytes;
    if (this.queuedSpans >= maxQueueSize || !this.#open.add(span, room)) {
      this.#dropped(1);
      return;
    }
    if (this.#open.spans >= maxExportBatchSize) {
      this.#seal();
      this.#exportNext();
    } else if (this.#timer === undefined) {
      const timer = setTimeout(() => {
        this.#timer = undefined;
        this.#seal();
        this.#exportNext();
      }, this.#options.scheduledDelayMillis);
      // Like the SDK's timer, it does not keep the process alive.
      Deno.unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /** Exports everything queued; resolves once every export answered or timed out. */
  async forceFlush(): Promise<void> {
    this.#seal();
    this.#exportNext();
    if (this.#exporting) await new Promise<void>((resolve) => this.#idle.push(resolve));
    await this.#options.exporter.forceFlush?.();
  }

  /** Flushes, then shuts the exporter down; later spans are ignored. */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.forceFlush().then(() => this.#options.exporter.shutdown());
    return this.#shutdown;
  }

  /** Makes the spans encoded so far a batch of their own. */
  #seal(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const bytes = this.#open.bytes;
    const request = this.#open.take();
    if (request === undefined) return;
    this.#ready.push({ request, bytes });
    this.#readySpans += request.spans;
    this.#readyBytes += bytes;
  }

  #exportNext(): void {
    if (this.#exporting) return;
    const batch = this.#ready.shift();
    if (batch === undefined) {
      for (const resolve of this.#idle.splice(0)) resolve();
      return;
    }
    this.#readySpans -= batch.request.spans;
    this.#readyBytes -= batch.bytes;
    this.#exportingBytes += batch.bytes;
    this.#exporting = true;
    let answered = false;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.#exporting = false;
      this.#exportNext();
    };
    // An exporter that never answers frees the queue for the next batch, not its bytes.
    const timer = setTimeout(finish, this.#options.exportTimeoutMillis);
    context.with(suppressTracing(context.active()), () => {
      try {
        this.#options.exporter.export(batch.request, (result) => {
          if (answered) return;
          answered = true;
          this.#exportingBytes -= batch.bytes;
          if (result.code !== ExportResultCode.SUCCESS && result.error !== undefined) {
            globalErrorHandler(result.error);
          }
          finish();
        });
      } catch (error) {
        globalErrorHandler(error as Error);
        answered = true;
        this.#exportingBytes -= batch.bytes;
        finish();
      }
    });
  }
}
