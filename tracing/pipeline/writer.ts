/**
 * Batches spans and logs in memory and writes them to the store every `flushMs` or as soon as a
 * batch is full, one transaction per batch. A full queue refuses new spans so ingest can answer
 * 503 with Retry-After instead of growing without bound.
 */
import type { LogRecord, SpanRecord } from "../span_model.ts";
import type { TraceStore } from "../store/store.ts";

/** The write queue. */
export interface SpanWriter {
  /** Queues spans; `false` when the queue is full and nothing was queued. */
  enqueueSpans(spans: readonly SpanRecord[]): boolean;
  /** Queues logs; `false` when the queue is full. */
  enqueueLogs(logs: readonly LogRecord[]): boolean;
  /** Items waiting to be written. */
  pending(): number;
  /** Writes everything queued now. */
  flush(): void;
  /** Flushes and stops the timer. */
  close(): void;
}

/** Options of `createSpanWriter`. */
export interface SpanWriterOptions {
  batchSize: number;
  flushMs: number;
  queueMax: number;
  /** Called after each committed batch of spans. */
  onWritten?: (spans: readonly SpanRecord[]) => void;
  /** Called when a batch fails to be written; its items are dropped. */
  onError?: (error: unknown, dropped: number) => void;
  /** Called after each batch of spans or logs, written or dropped: it has left the queue. */
  onSettled?: (items: readonly (SpanRecord | LogRecord)[]) => void;
}

/** Creates the write queue in front of `store`. */
export function createSpanWriter(store: TraceStore, options: SpanWriterOptions): SpanWriter {
  let spans: SpanRecord[] = [];
  let logs: LogRecord[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  // A full batch is written at once; the rest waits for the timer (or `flush`) rather than
  // costing a small transaction of its own.
  const flush = (): void => write(0);
  const write = (keep: number): void => {
    clearTimeout(timer);
    timer = undefined;
    while (spans.length > keep) {
      const batch = spans.slice(0, options.batchSize);
      spans = spans.slice(batch.length);
      try {
        store.writeSpans(batch);
        options.onWritten?.(batch);
      } catch (error) {
        options.onError?.(error, batch.length);
      }
      options.onSettled?.(batch);
    }
    if (spans.length > 0) timer = setTimeout(flush, options.flushMs);
    if (logs.length > 0) {
      const batch = logs;
      logs = [];
      try {
        store.writeLogs(batch);
      } catch (error) {
        options.onError?.(error, batch.length);
      }
      options.onSettled?.(batch);
    }
  };
  const schedule = (): void => {
    if (closed) return flush();
    if (spans.length >= options.batchSize) return write(options.batchSize - 1);
    timer ??= setTimeout(flush, options.flushMs);
  };
  const full = (adding: number) => spans.length + logs.length + adding > options.queueMax;

  return {
    enqueueSpans(items) {
      if (items.length === 0) return true;
      if (full(items.length)) return false;
      spans.push(...items);
      schedule();
      return true;
    },
    enqueueLogs(items) {
      if (items.length === 0) return true;
      if (full(items.length)) return false;
      logs.push(...items);
      schedule();
      return true;
    },
    pending: () => spans.length + logs.length,
    flush,
    close() {
      closed = true;
      flush();
    },
  };
}
