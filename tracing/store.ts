/**
 * The trace store: SQLite through `node:sqlite`. Spans are written in batches inside one
 * transaction with prepared statements. Its queries are not traced: the service's own telemetry
 * must not grow with the traffic it stores.
 */
import { DatabaseSync } from "node:sqlite";
import {
  durationMicros,
  isError,
  type LogRecord,
  nanosToMicros,
  type SpanRecord,
  startMicros,
  valueText,
} from "./span_model.ts";
import { createStoreQueries, type StoreQueries } from "./store_query.ts";

/** What the rest of the service sees of the store. */
export interface TraceStore extends StoreQueries {
  /** Writes spans in one transaction; a span already stored is replaced. */
  writeSpans(spans: readonly SpanRecord[]): void;
  /** Writes log records in one transaction. */
  writeLogs(logs: readonly LogRecord[]): void;
  /** Deletes spans and logs older than `maxAgeMs`, then the oldest until under `maxBytes`. */
  enforceRetention(options: { maxAgeMs: number; maxBytes: number; nowMs?: number }): number;
  /** Bytes in use by the database (free pages excluded). */
  sizeBytes(): number;
  /** Whether the database answers. */
  ping(): boolean;
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spans (
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT NOT NULL,
  service TEXT NOT NULL,
  operation TEXT NOT NULL,
  kind INTEGER NOT NULL,
  start_us INTEGER NOT NULL,
  duration_us INTEGER NOT NULL,
  error INTEGER NOT NULL,
  tags TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS spans_by_id ON spans (trace_id, span_id);
CREATE INDEX IF NOT EXISTS spans_by_service ON spans (service, start_us);
CREATE INDEX IF NOT EXISTS spans_by_operation ON spans (service, operation, start_us);
CREATE INDEX IF NOT EXISTS spans_by_start ON spans (start_us);
CREATE TABLE IF NOT EXISTS logs (
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  time_us INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_by_trace ON logs (trace_id);
CREATE INDEX IF NOT EXISTS logs_by_time ON logs (time_us);
CREATE TABLE IF NOT EXISTS operations (
  service TEXT NOT NULL,
  operation TEXT NOT NULL,
  kind INTEGER NOT NULL,
  PRIMARY KEY (service, operation, kind)
) WITHOUT ROWID;
`;

/** Opens (creating if needed) the store at `path`; `:memory:` works for tests. */
export function openTraceStore(path: string): TraceStore {
  const db = new DatabaseSync(path);
  // auto_vacuum must be chosen before the first table exists; retention relies on it.
  db.exec("PRAGMA auto_vacuum = INCREMENTAL");
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000");
  db.exec(SCHEMA);
  const insertSpan = db.prepare(
    `INSERT OR REPLACE INTO spans (trace_id, span_id, parent_span_id, service, operation, kind,
      start_us, duration_us, error, tags, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertOperation = db.prepare(
    "INSERT OR IGNORE INTO operations (service, operation, kind) VALUES (?, ?, ?)",
  );
  const insertLog = db.prepare(
    "INSERT INTO logs (trace_id, span_id, time_us, data) VALUES (?, ?, ?, ?)",
  );
  const knownOperations = new Set<string>();
  const transaction = (work: () => void): void => {
    db.exec("BEGIN");
    try {
      work();
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  };
  const pragma = (name: string): number =>
    Number((db.prepare(`PRAGMA ${name}`).get() as Record<string, number>)[name]);

  return {
    ...createStoreQueries(db),
    writeSpans(spans) {
      if (spans.length === 0) return;
      transaction(() => {
        for (const span of spans) {
          insertSpan.run(
            span.traceId,
            span.spanId,
            span.parentSpanId,
            span.service,
            span.name,
            span.kind,
            startMicros(span),
            durationMicros(span),
            isError(span) ? 1 : 0,
            JSON.stringify(searchTags(span)),
            JSON.stringify(span),
          );
          const key = `${span.service}\u0000${span.name}\u0000${span.kind}`;
          if (!knownOperations.has(key)) {
            insertOperation.run(span.service, span.name, span.kind);
            knownOperations.add(key);
          }
        }
      });
    },
    writeLogs(logs) {
      if (logs.length === 0) return;
      transaction(() => {
        for (const log of logs) {
          insertLog.run(
            log.traceId,
            log.spanId,
            nanosToMicros(log.timeUnixNano),
            JSON.stringify(log),
          );
        }
      });
    },
    enforceRetention({ maxAgeMs, maxBytes, nowMs = Date.now() }) {
      const cutoffUs = (nowMs - maxAgeMs) * 1000;
      let deleted = Number(
        db.prepare("DELETE FROM spans WHERE start_us < ?").run(cutoffUs).changes,
      );
      db.prepare("DELETE FROM logs WHERE time_us < ?").run(cutoffUs);
      const used = () => (pragma("page_count") - pragma("freelist_count")) * pragma("page_size");
      // Oldest first, a tenth of the spans at a time, until the database fits.
      while (used() > maxBytes) {
        const count = Number(
          (db.prepare("SELECT COUNT(*) AS n FROM spans").get() as { n: number }).n,
        );
        if (count === 0) break;
        const row = db.prepare("SELECT start_us FROM spans ORDER BY start_us LIMIT 1 OFFSET ?")
          .get(Math.floor(count / 10)) as { start_us: number } | undefined;
        const cutoff = row?.start_us ?? Number.MAX_SAFE_INTEGER;
        deleted += Number(db.prepare("DELETE FROM spans WHERE start_us <= ?").run(cutoff).changes);
        db.prepare("DELETE FROM logs WHERE time_us <= ?").run(cutoff);
      }
      if (deleted > 0) {
        db.exec("PRAGMA incremental_vacuum");
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      }
      return deleted;
    },
    sizeBytes: () => (pragma("page_count") - pragma("freelist_count")) * pragma("page_size"),
    ping() {
      try {
        return db.isOpen && db.prepare("SELECT 1").get() !== undefined;
      } catch {
        return false;
      }
    },
    close() {
      if (db.isOpen) db.close();
    },
  };
}

/** The flat key/value map tag search matches: span and resource attributes, kind and error. */
function searchTags(span: SpanRecord): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const kv of span.resource) tags[kv.key] = valueText(kv.value);
  for (const kv of span.attributes) tags[kv.key] = valueText(kv.value);
  if (isError(span)) tags.error = "true";
  return tags;
}
