/**
 * The store's span insert, run inside the caller's transaction: one row per span, each distinct
 * resource and operation written once. Ids of known resources and operations are cached, so a
 * batch from one SDK costs one row insert per span and one resource update.
 *
 * Rows go in `ROWS_PER_INSERT` at a time through one multi-row statement: each statement run
 * costs a fixed step through `node:sqlite` and SQLite's VM, which a row alone paid before.
 */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import { resourceTags, spanColumns } from "./codec.ts";
import {
  durationMicros,
  isError,
  type KeyValue,
  type SpanRecord,
  startMicros,
} from "../span_model.ts";

/** Writes span rows; statements prepared once. */
export interface SpanRows {
  /** Inserts (or replaces) spans; the caller holds the transaction. */
  insert(spans: readonly SpanRecord[]): void;
  /** Drops the caches, after a rollback or after retention deleted resources. */
  forget(): void;
}

const MAX_CACHED = 10_000;

/** Spans per multi-row insert: 32 rows of 12 values stay far below SQLite's 32,766 variables. */
const ROWS_PER_INSERT = 32;
const COLUMNS = 12;

/** Prepares the span insert over a database whose schema is in place. */
export function createSpanRows(db: DatabaseSync): SpanRows {
  const insertSql = (rows: number) =>
    `INSERT OR REPLACE INTO spans (trace_id, span_id, parent_span_id, service, operation, kind,
      start_us, duration_us, error, resource_id, tags, data)
     VALUES ${Array(rows).fill("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`;
  const insertSpan = db.prepare(insertSql(1));
  const insertSpans = db.prepare(insertSql(ROWS_PER_INSERT));
  // One row's values after another; full chunks go through `insertSpans`, the rest row by row.
  const values: SQLInputValue[] = new Array(ROWS_PER_INSERT * COLUMNS);
  let filled = 0;
  const insertOperation = db.prepare(
    "INSERT OR IGNORE INTO operations (service, operation, kind) VALUES (?, ?, ?)",
  );
  const selectResource = db.prepare("SELECT id FROM resources WHERE data = ?");
  const insertResource = db.prepare(
    "INSERT INTO resources (data, tags, last_us) VALUES (?, ?, ?)",
  );
  const touchResource = db.prepare(
    "UPDATE resources SET last_us = MAX(last_us, ?) WHERE id = ?",
  );
  const knownOperations = new Set<string>();
  const resourceIds = new Map<string, number>();
  // Spans of one OTLP request share their resource array: the last one is checked first.
  let lastResource: readonly KeyValue[] | undefined;
  let lastResourceId = 0;

  const resourceId = (resource: readonly KeyValue[], startUs: number): number => {
    if (resource === lastResource) return lastResourceId;
    const data = JSON.stringify(resource);
    let id = resourceIds.get(data);
    if (id === undefined) {
      const row = selectResource.get(data) as { id: number } | undefined;
      id = row?.id ??
        Number(insertResource.run(data, resourceTags(resource), startUs).lastInsertRowid);
      if (resourceIds.size >= MAX_CACHED) resourceIds.clear();
      resourceIds.set(data, id);
    }
    lastResource = resource;
    lastResourceId = id;
    return id;
  };

  return {
    insert(spans) {
      // Retention drops a resource once its newest span is gone, so each keeps its newest start.
      const newest = new Map<number, number>();
      for (const span of spans) {
        const startUs = startMicros(span);
        const resource = resourceId(span.resource, startUs);
        if (!(startUs <= (newest.get(resource) ?? -Infinity))) newest.set(resource, startUs);
        const { tags, data } = spanColumns(span);
        values[filled++] = span.traceId;
        values[filled++] = span.spanId;
        values[filled++] = span.parentSpanId;
        values[filled++] = span.service;
        values[filled++] = span.name;
        values[filled++] = span.kind;
        values[filled++] = startUs;
        values[filled++] = durationMicros(span);
        values[filled++] = isError(span) ? 1 : 0;
        values[filled++] = resource;
        values[filled++] = tags;
        values[filled++] = data;
        if (filled === values.length) {
          insertSpans.run(...values);
          filled = 0;
        }
        const key = `${span.service}\u0000${span.name}\u0000${span.kind}`;
        if (!knownOperations.has(key)) {
          insertOperation.run(span.service, span.name, span.kind);
          if (knownOperations.size >= MAX_CACHED) knownOperations.clear();
          knownOperations.add(key);
        }
      }
      for (let row = 0; row < filled; row += COLUMNS) {
        insertSpan.run(...values.slice(row, row + COLUMNS));
      }
      filled = 0;
      for (const [id, startUs] of newest) touchResource.run(startUs, id);
    },
    forget() {
      filled = 0;
      knownOperations.clear();
      resourceIds.clear();
      lastResource = undefined;
    },
  };
}
