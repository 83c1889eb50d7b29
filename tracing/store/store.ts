/**
 * The trace store: SQLite through `node:sqlite`. Spans are written in batches inside one
 * transaction with prepared statements. Its queries are not traced: the service's own telemetry
 * must not grow with the traffic it stores.
 */
import { DatabaseSync } from "node:sqlite";
import { type LogRecord, nanosToMicros, type SpanRecord } from "../span_model.ts";
import { createLogQueries, type LogQueries } from "./log_query.ts";
import { createStoreQueries, SAFE_START, type StoreQueries } from "./query.ts";
import { prepareSchema } from "./schema.ts";
import { createSpanScan, type SpanScan } from "./span_scan.ts";
import { createSpanRows, type SpanRows } from "./write.ts";

/** What the rest of the service sees of the store. */
export interface TraceStore extends StoreQueries, LogQueries, SpanScan {
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

/** Opens (creating if needed) the store at `path`; `:memory:` works for tests. */
export function openTraceStore(path: string): TraceStore {
  const db = new DatabaseSync(path);
  try {
    return createStore(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
}

function createStore(db: DatabaseSync, path: string): TraceStore {
  // The upgrade from schema 1 writes through the same inserts, prepared once the tables exist.
  let rows: SpanRows | undefined;
  const spanRows = () => (rows ??= createSpanRows(db));
  prepareSchema(db, path, (spans) => spanRows().insert(spans));
  const write = spanRows();
  const insertLog = db.prepare(
    "INSERT INTO logs (trace_id, span_id, time_us, data) VALUES (?, ?, ?, ?)",
  );
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
    ...createLogQueries(db),
    ...createSpanScan(db),
    writeSpans(spans) {
      if (spans.length === 0) return;
      try {
        transaction(() => write.insert(spans));
      } catch (error) {
        write.forget();
        throw error;
      }
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
      // Resources whose newest span started before this are no longer referenced.
      let resourcesBefore = cutoffUs;
      const used = () => (pragma("page_count") - pragma("freelist_count")) * pragma("page_size");
      // Oldest first, a tenth of the spans at a time, until the database fits.
      while (used() > maxBytes) {
        const count = Number(
          (db.prepare("SELECT COUNT(*) AS n FROM spans").get() as { n: number }).n,
        );
        if (count === 0) break;
        const row = db.prepare(`SELECT ${SAFE_START} FROM spans ORDER BY start_us LIMIT 1 OFFSET ?`)
          .get(Math.floor(count / 10)) as { start_us: number } | undefined;
        const cutoff = row?.start_us ?? Number.MAX_SAFE_INTEGER;
        deleted += Number(db.prepare("DELETE FROM spans WHERE start_us <= ?").run(cutoff).changes);
        db.prepare("DELETE FROM logs WHERE time_us <= ?").run(cutoff);
        resourcesBefore = Math.max(resourcesBefore, cutoff + 1);
      }
      if (deleted > 0) {
        db.prepare("DELETE FROM resources WHERE last_us < ?").run(resourcesBefore);
        write.forget();
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
