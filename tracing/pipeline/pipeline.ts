/**
 * The path of accepted data: tail sampler → write queue → store, plus fan-out and metrics.
 * Ingest and the span API both feed it.
 */
import type { Logger } from "../../lib/log.ts";
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from "../ingest/limits.ts";
import type { Forwarder, ForwardItem } from "./forwarder.ts";
import { createTailSampler, type SamplingOptions, type TailSampler } from "./tail_sampler.ts";
import { durationMicros, type LogRecord, type SpanRecord } from "../span_model.ts";
import type { TraceStore } from "../store/store.ts";
import type { TracingMetrics } from "../metrics.ts";
import { createSpanWriter, type SpanWriter } from "./writer.ts";

/** The ingest pipeline. */
export interface Pipeline {
  /** Whether `count` more spans or logs fit in the queues now. */
  hasRoom(count: number): boolean;
  /** Takes spans; `false` (nothing taken) when the queues are full. */
  acceptSpans(spans: readonly SpanRecord[]): boolean;
  /** Takes log records; `false` when the queues are full. */
  acceptLogs(logs: readonly LogRecord[]): boolean;
  /** Sends a copy of an accepted request to the fan-out endpoints. */
  forward(item: ForwardItem): void;
  readonly metrics: TracingMetrics;
  /** What every entrance (OTLP, span API, WAL replay) holds a span to before handing it over. */
  readonly limits: IngestLimits;
  /** Decides held traces and writes everything queued. */
  flush(): void;
  /** Flushes and stops timers; the store stays open. */
  close(): void;
}

/** What `createPipeline` needs. */
export interface PipelineOptions {
  store: TraceStore;
  metrics: TracingMetrics;
  logger: Logger;
  forwarder?: Forwarder;
  sampling: SamplingOptions;
  write: { batchSize: number; flushMs: number; queueMax: number };
  /** The ingest limits; the defaults when not given. */
  limits?: IngestLimits;
  /** Called with items that left the pipeline: written, or dropped by sampling or an error. */
  onSettled?: (items: readonly (SpanRecord | LogRecord)[]) => void;
}

/** Creates the pipeline. */
export function createPipeline(options: PipelineOptions): Pipeline {
  const { metrics, logger } = options;
  const writer: SpanWriter = createSpanWriter(options.store, {
    ...options.write,
    onWritten(spans) {
      metrics.spansStored.inc(spans.length);
      // Spans of one batch mostly share a service: its labelled histogram is looked up once.
      let service: string | undefined;
      let histogram: { observe(value: number): void } | undefined;
      for (const span of spans) {
        if (span.service !== service) {
          service = span.service;
          histogram = metrics.spanDuration.labels({ service });
        }
        histogram!.observe(durationMicros(span) / 1e6);
      }
    },
    onError(error, dropped) {
      metrics.dropped.inc({ reason: "write_error" }, dropped);
      logger.error("Writing to the store failed", { error, dropped });
    },
    ...(options.onSettled === undefined ? {} : { onSettled: options.onSettled }),
  });
  const sampler: TailSampler = createTailSampler(options.sampling, {
    keep(spans) {
      if (writer.enqueueSpans(spans)) return;
      metrics.dropped.inc({ reason: "queue_full" }, spans.length);
      options.onSettled?.(spans);
    },
    drop(spans, reason) {
      metrics.dropped.inc({ reason }, spans.length);
      options.onSettled?.(spans);
    },
  });
  const full = (adding: number) =>
    writer.pending() + sampler.held() + adding > options.write.queueMax;

  return {
    hasRoom: (count) => !full(count),
    acceptSpans(spans) {
      if (full(spans.length)) return false;
      sampler.offer(spans);
      return true;
    },
    acceptLogs(logs) {
      return !full(logs.length) && writer.enqueueLogs(logs);
    },
    forward: (item) => options.forwarder?.forward(item),
    metrics,
    limits: options.limits ?? DEFAULT_INGEST_LIMITS,
    flush() {
      sampler.flush();
      writer.flush();
    },
    close() {
      sampler.close();
      writer.close();
    },
  };
}
