/**
 * The store's span insert, run inside the caller's transaction: one row per span, each distinct
 * resource and operation written once. Ids of known resources and operations are cached, so a
 * batch from one SDK costs one row insert per span and one resource update.
 */
import type { DatabaseSync } from "node:sqlite";
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

/** Prepares the span insert over a database whose schema is in place. */
export function createSpanRows(db: DatabaseSync): SpanRows {
  const insertSpan = db.prepare(
    `INSERT OR REPLACE INTO spans (trace_id, span_id, parent_span_id, service, operation, kind,
      start_us, duration_us, error, resource_id, tags, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
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
        insertSpan.run(
          span.traceId,
          span.spanId,
          span.parentSpanId,
          span.service,
          span.name,
          span.kind,
          startUs,
          durationMicros(span),
          isError(span) ? 1 : 0,
          resource,
          tags,
          data,
        );
        const key = `${span.service}\u0000${span.name}\u0000${span.kind}`;
        if (!knownOperations.has(key)) {
          insertOperation.run(span.service, span.name, span.kind);
          if (knownOperations.size >= MAX_CACHED) knownOperations.clear();
          knownOperations.add(key);
        }
      }
      for (const [id, startUs] of newest) touchResource.run(startUs, id);
    },
    forget() {
      knownOperations.clear();
      resourceIds.clear();
      lastResource = undefined;
    },
  };
}
