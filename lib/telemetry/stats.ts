/**
 * Counts what happens to finished spans (or log records) in the SDK pipeline: queued, dropped
 * because the batch queue was full, exported, failed to export. The batch processors report drops
 * only through their self-observability meter, so a tiny meter provider listens for exactly those
 * instruments.
 */
import {
  type Attributes,
  createNoopMeter,
  type Meter,
  type MeterProvider,
  type ObservableCallback,
  type ObservableResult,
} from "@opentelemetry/api";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ExportGate } from "./export_gate.ts";

/** What the counters wrap: a span exporter or a log record exporter. */
export interface CountableExporter<T> {
  export(items: T, done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** A queue's size in bytes and its bound. */
export interface QueueBytes {
  queued(): number;
  readonly capacity: number;
}

/** Running totals of the span pipeline. */
export interface SpanPipelineStats {
  /** Spans handed to the exporter that it accepted. */
  exported: number;
  /** Spans handed to the exporter that it failed to deliver. */
  exportFailed: number;
  /** Spans dropped because the batch queue was full. */
  dropped: number;
  /** Spans waiting in the batch queue right now. */
  queued: number;
  /** Capacity of the batch queue. */
  queueCapacity: number;
  /** Encoded span bytes waiting or being exported, when the queue holds bytes (`EncodingSpanProcessor`). */
  queuedBytes?: number;
  /** The bound of `queuedBytes`. */
  queueBytesCapacity?: number;
  /**
   * Local root spans (a new trace, or a remote parent's child) not recorded because the queue
   * was full or exports were failing (`ExportGate`). The spans under each are not recorded either
   * and are not counted: this counts traces, as seen from this process.
   */
  shed: number;
  /** Spans of shed traces recorded after all because their context was sent on (`ShedSpan`). */
  shedBridged: number;
  /** Empty export requests sent to learn whether the endpoint is back. */
  exportProbes: number;
}

/** Collects `SpanPipelineStats` from a batch processor and its exporter. */
export class SpanPipelineCounters {
  #exported = 0;
  #exportFailed = 0;
  #dropped = 0;
  #queueCapacity = 0;
  #readQueueSize: ObservableCallback | undefined;
  #queueBytes: QueueBytes | undefined;
  readonly #gate: ExportGate | undefined;
  /** `span` or `log`, as in the SDK's `otel.sdk.processor.<signal>.*` instruments. */
  readonly #signal: string;

  /**
   * `gate`, when given, hears of every export result and queue overflow; `signal` picks the
   * batch processor whose instruments are read (the spans' or the log records').
   */
  constructor(gate?: ExportGate, signal: "span" | "log" = "span") {
    this.#gate = gate;
    this.#signal = signal;
  }

  /** A meter provider to pass as the batch processor's `selfObsMeterProvider`. */
  readonly meterProvider: MeterProvider = {
    getMeter: () => this.#meter(),
  };

  /**
   * Wraps `exporter` so that every export result is counted; `count` says how many spans (or
   * records) an export holds, the array's length by default.
   */
  countingExporter<T>(
    exporter: CountableExporter<T>,
    onResult?: (result: ExportResult) => void,
    count: (items: T) => number = arrayLength,
  ): Required<CountableExporter<T>> {
    return {
      export: (items: T, done: (result: ExportResult) => void) => {
        exporter.export(items, (result) => {
          const ok = result.code === ExportResultCode.SUCCESS;
          if (ok) this.#exported += count(items);
          else this.#exportFailed += count(items);
          this.#gate?.onExportResult(ok, this.queueFill());
          onResult?.(result);
          done(result);
        });
      },
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    };
  }

  /** Reports a queue that is bounded in bytes too; its fill then counts for `queueFill()`. */
  watchQueueBytes(queueBytes: QueueBytes): void {
    this.#queueBytes = queueBytes;
  }

  /** The totals so far. */
  snapshot(): SpanPipelineStats {
    const queued = this.#queued();
    const bytes = this.#queueBytes;
    return {
      exported: this.#exported,
      exportFailed: this.#exportFailed,
      dropped: this.#dropped,
      queued,
      queueCapacity: this.#queueCapacity,
      ...(bytes === undefined
        ? {}
        : { queuedBytes: bytes.queued(), queueBytesCapacity: bytes.capacity }),
      shed: this.#gate?.shed ?? 0,
      shedBridged: this.#gate?.bridged ?? 0,
      exportProbes: this.#gate?.probes ?? 0,
    };
  }

  #queued(): number {
    let queued = 0;
    const observe: ObservableResult = { observe: (value: number) => queued = value };
    void this.#readQueueSize?.(observe);
    return queued;
  }

  /** How full the batch queue is, from 0 to 1: by items, or by bytes when that is fuller. */
  queueFill(): number {
    const items = this.#queueCapacity === 0 ? 0 : this.#queued() / this.#queueCapacity;
    const bytes = this.#queueBytes;
    return bytes === undefined ? items : Math.max(items, bytes.queued() / bytes.capacity);
  }

  #meter(): Meter {
    const noop = createNoopMeter();
    const meter: Meter = Object.create(noop);
    meter.createCounter = (name, options) => {
      if (name !== `otel.sdk.processor.${this.#signal}.processed`) {
        return noop.createCounter(name, options);
      }
      return {
        add: (value: number, attributes?: Attributes) => {
          if (attributes?.["error.type"] !== "queue_full") return;
          this.#dropped += value;
          this.#gate?.onQueueFull();
        },
      };
    };
    meter.createUpDownCounter = (name, options) => {
      if (name !== `otel.sdk.processor.${this.#signal}.queue.capacity`) {
        return noop.createUpDownCounter(name, options);
      }
      return { add: (value: number) => this.#queueCapacity += value };
    };
    meter.createObservableUpDownCounter = (name, options) => {
      const instrument = noop.createObservableUpDownCounter(name, options);
      if (name !== `otel.sdk.processor.${this.#signal}.queue.size`) return instrument;
      return {
        addCallback: (callback: ObservableCallback) => this.#readQueueSize = callback,
        removeCallback: () => this.#readQueueSize = undefined,
      };
    };
    return meter;
  }
}

function arrayLength(items: unknown): number {
  return (items as unknown[]).length;
}
