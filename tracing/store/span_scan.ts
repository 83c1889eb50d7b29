/**
 * Reading one operation's spans in a time window a chunk at a time, oldest first, with a cursor
 * (start time and row id) for the next chunk: callers such as alert evaluation yield to the event
 * loop between chunks instead of holding it for a whole window. Each chunk is one range of the
 * `(service, operation, start_us)` index.
 */
import type { DatabaseSync } from "node:sqlite";
import { SAFE_DURATION } from "./query.ts";

/** Where the next chunk starts: after this span. */
export interface ScanCursor {
  startUs: number;
  rowId: number;
}

/** Which spans to read; times in µs, both ends included. */
export interface SpanScanQuery {
  service: string;
  operation: string;
  sinceUs: number;
  untilUs: number;
  after?: ScanCursor;
  limit: number;
}

/** What alert evaluation needs of a span. */
export interface ScannedSpan {
  startUs: number;
  durationUs: number;
  error: boolean;
}

/** One chunk, and the cursor for the next (`undefined` at the end of the window). */
export interface SpanChunk {
  spans: ScannedSpan[];
  next: ScanCursor | undefined;
}

/** Chunked span reads. */
export interface SpanScan {
  scanSpans(query: SpanScanQuery): SpanChunk;
}

/** Builds the chunked read over an open database whose schema is in place. */
export function createSpanScan(db: DatabaseSync): SpanScan {
  // The caller's window bounds the start; the duration is clamped (see SAFE_DURATION).
  const chunk = db.prepare(
    `SELECT start_us, rowid AS row_id, ${SAFE_DURATION}, error
     FROM spans WHERE service = ? AND operation = ? AND start_us <= ?
       AND (start_us, rowid) > (?, ?)
     ORDER BY start_us, rowid LIMIT ?`,
  );
  return {
    scanSpans({ service, operation, sinceUs, untilUs, after, limit }) {
      const rows = chunk.all(
        service,
        operation,
        untilUs,
        after?.startUs ?? sinceUs,
        after?.rowId ?? -1,
        limit,
      ) as { start_us: number; row_id: number; duration_us: number; error: number }[];
      const spans = rows.map((row) => ({
        startUs: row.start_us,
        durationUs: row.duration_us,
        error: row.error === 1,
      }));
      const last = rows.at(-1);
      return {
        spans,
        next: last === undefined || rows.length < limit
          ? undefined
          : { startUs: last.start_us, rowId: last.row_id },
      };
    },
  };
}
