/** The store's read side: trace lookup, search, listings, dependencies and latency samples. */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { KeyValue, LogRecord, SpanRecord } from "../span_model.ts";
import { spanFromRow, type SpanRow } from "./codec.ts";

/** A trace search; durations and times in microseconds. */
export interface TraceQuery {
  service?: string;
  operation?: string;
  /** Every pair must match on one span (its attributes, its resource, or `error=true`). */
  tags?: Readonly<Record<string, string>>;
  minDurationUs?: number;
  maxDurationUs?: number;
  startUs?: number;
  endUs?: number;
  limit: number;
}

/** A stored trace: its spans by start time and the logs joined to it. */
export interface StoredTrace {
  spans: SpanRecord[];
  logs: LogRecord[];
  /** Spans and log records the read limit left out (absent when none was). */
  omitted?: { spans: number; logs: number };
  /** Bytes of the rows read, for a caller sharing one limit over several traces. */
  readBytes?: number;
}

/**
 * How much of one trace a read loads: its first spans by start time, and log records by time,
 * until either bound is reached (at least one span). Pages and API answers stay bounded for any
 * stored trace, however many spans it gathered.
 */
export interface TraceReadLimit {
  readonly maxItems: number;
  readonly maxBytes: number;
}

/** The default read limit of one trace: 10,000 spans and as many log records, 32 MiB of rows. */
export const TRACE_READ_LIMIT: TraceReadLimit = Object.freeze({
  maxItems: 10_000,
  maxBytes: 32 * 1024 * 1024,
});

/** An operation of a service, with its span kind number. */
export interface OperationRow {
  service: string;
  name: string;
  kind: number;
}

/** One call-graph edge. */
export interface DependencyEdge {
  parent: string;
  child: string;
  callCount: number;
}

/** Read queries over the store. */
export interface StoreQueries {
  /** The trace, read up to `limit` (default `TRACE_READ_LIMIT`). */
  getTrace(traceId: string, limit?: TraceReadLimit): StoredTrace | undefined;
  /** Stored trace ids that start with `prefix` (hex, either case), at most `limit`, in order. */
  traceIdsWithPrefix(prefix: string, limit: number): string[];
  /** Trace ids matching `query`, the most recent first. */
  findTraceIds(query: TraceQuery): string[];
  services(): string[];
  operations(service?: string): OperationRow[];
  /** Service-to-service calls among spans that started in `[startUs, endUs]`. */
  dependencies(startUs: number, endUs: number): DependencyEdge[];
  /** Durations and error flags of matching spans since `sinceUs`. */
  spanSamples(
    query: { service: string; operation?: string; kind?: number; sinceUs: number },
  ): { durationUs: number; error: boolean }[];
  /**
   * Spans of `services` with one of `kinds` that started in `[sinceUs, untilUs]`, by start time:
   * the raw material of the Jaeger metrics (SPM) API.
   */
  metricSpans(query: MetricSpanQuery): MetricSpan[];
  spanCount(): number;
}

/** Which spans `metricSpans` reads. */
export interface MetricSpanQuery {
  services: readonly string[];
  kinds: readonly number[];
  sinceUs: number;
  untilUs: number;
  /** At most this many spans per service are read. */
  limit: number;
}

/** What the metrics API needs of a span. */
export interface MetricSpan {
  service: string;
  operation: string;
  startUs: number;
  durationUs: number;
  error: boolean;
}

/**
 * Times and durations as numbers node:sqlite can read: a row stored before times were checked
 * at ingest may hold more than 2^53 µs (or less than -2^53), which it refuses as a number.
 */
export const SAFE_START =
  `MIN(MAX(start_us, -${Number.MAX_SAFE_INTEGER}), ${Number.MAX_SAFE_INTEGER}) AS start_us`;
/** A duration clamped the same way, and to 0 from below. */
export const SAFE_DURATION = `MIN(MAX(duration_us, 0), ${Number.MAX_SAFE_INTEGER}) AS duration_us`;

/** SQLite's default cap on the terms of one compound select is 500. */
const MAX_MERGED_OPERATIONS = 200;

/** Builds the read queries over an open database. */
export function createStoreQueries(db: DatabaseSync): StoreQueries {
  const traceSpans = db.prepare(
    `SELECT trace_id, span_id, parent_span_id, service, operation, kind, resource_id, tags, data
     FROM spans WHERE trace_id = ? ORDER BY start_us`,
  );
  const resourceData = db.prepare("SELECT data FROM resources WHERE id = ?");
  const traceLogs = db.prepare("SELECT data FROM logs WHERE trace_id = ? ORDER BY time_us, rowid");
  const traceSpanCount = db.prepare("SELECT COUNT(*) AS n FROM spans WHERE trace_id = ?");
  const traceLogCount = db.prepare("SELECT COUNT(*) AS n FROM logs WHERE trace_id = ?");
  // A range on spans_by_id: ids are lowercase hex, and "g" sorts after every hex digit.
  const idsInRange = db.prepare(
    "SELECT DISTINCT trace_id FROM spans WHERE trace_id >= ? AND trace_id < ? ORDER BY trace_id LIMIT ?",
  );
  const serviceOperations = db.prepare(
    "SELECT DISTINCT operation FROM operations WHERE service = ?",
  );
  const filter = (where: readonly string[]) =>
    where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";

  /** Trace ids of the newest `rows` matching spans with the service and operation given. */
  const plainSearch = (query: TraceQuery, where: string[], params: SQLInputValue[]) => {
    const scope = [query.service, query.operation];
    const clauses = ["service = ?", "operation = ?"].filter((_, i) => scope[i] !== undefined);
    const scopeParams = scope.filter((value) => value !== undefined);
    const statement = db.prepare(
      `SELECT trace_id FROM spans ${filter([...clauses, ...where])} ORDER BY start_us DESC LIMIT ?`,
    );
    return (rows: number) => {
      const found = statement.all(...scopeParams, ...params, rows) as { trace_id: string }[];
      return { traceIds: found.map((row) => row.trace_id), exhausted: found.length < rows };
    };
  };

  /**
   * The first `limit` trace ids for a service alone: its spans, newest first, are one index
   * range per operation of the service, merged by SQLite (ties by insertion order, newest first,
   * as one index over the service read backwards gave) and read only as far as needed; past
   * SQLite's limit on compound selects, one sorted scan. Other filters only mark the rows
   * (`hit`) rather than narrow each range, where an operation with no match would be read to
   * its end.
   */
  const serviceSearch = (service: string, filters: {
    time: string[];
    timeParams: SQLInputValue[];
    where: string[];
    params: SQLInputValue[];
  }, limit: number): string[] => {
    const operations = (serviceOperations.all(service) as { operation: string }[])
      .map((row) => row.operation);
    if (operations.length === 0) return [];
    const merged = operations.length <= MAX_MERGED_OPERATIONS;
    const arms = merged ? operations : [undefined];
    const hit = filters.where.length > 0 ? filters.where.join(" AND ") : "1";
    const arm = `SELECT start_us, rowid, trace_id, ${hit} AS hit FROM spans ${
      filter([merged ? "service = ? AND operation = ?" : "service = ?", ...filters.time])
    }`;
    const statement = db.prepare(
      `${arms.map(() => arm).join(" UNION ALL ")} ORDER BY 1 DESC, 2 DESC`,
    );
    // A start stored before times were checked at ingest may pass 2^53 µs, which node:sqlite
    // refuses as a number (and its iterator then ends silently): integers are read as BigInt.
    statement.setReadBigInts(true);
    const params = arms.flatMap((operation) => [
      ...filters.params,
      service,
      ...(operation === undefined ? [] : [operation]),
      ...filters.timeParams,
    ]);
    const ids = new Set<string>();
    for (const row of statement.iterate(...params) as Iterable<{ trace_id: string; hit: bigint }>) {
      if (row.hit !== 1n) continue;
      ids.add(row.trace_id);
      if (ids.size === limit) break;
    }
    return [...ids];
  };

  return {
    getTrace(traceId, limit = TRACE_READ_LIMIT) {
      const id = traceId.toLowerCase();
      let bytes = 0;
      let spansCut = false;
      const rows: SpanRow[] = [];
      for (const row of traceSpans.iterate(id) as Iterable<SpanRow>) {
        const size = row.data.length + (row.tags?.length ?? 0);
        if (rows.length > 0 && (rows.length >= limit.maxItems || bytes + size > limit.maxBytes)) {
          spansCut = true;
          break;
        }
        bytes += size;
        rows.push(row);
      }
      if (rows.length === 0) return undefined;
      const resources = new Map<number, KeyValue[]>();
      const resourceOf = (resourceId: number): KeyValue[] => {
        let resource = resources.get(resourceId);
        if (resource === undefined) {
          const row = resourceData.get(resourceId) as { data: string } | undefined;
          resource = row === undefined ? [] : JSON.parse(row.data) as KeyValue[];
          resources.set(resourceId, resource);
        }
        return resource;
      };
      const spans = rows.map((row) => spanFromRow(row, resourceOf(row.resource_id)));
      const logs: LogRecord[] = [];
      let logsCut = false;
      for (const row of traceLogs.iterate(id) as Iterable<{ data: string }>) {
        if (logs.length >= limit.maxItems || bytes + row.data.length > limit.maxBytes) {
          logsCut = true;
          break;
        }
        bytes += row.data.length;
        logs.push(JSON.parse(row.data));
      }
      const trace: StoredTrace = { spans, logs, readBytes: bytes };
      if (spansCut || logsCut) {
        const count = (statement: typeof traceSpanCount) => (statement.get(id) as { n: number }).n;
        trace.omitted = {
          spans: spansCut ? count(traceSpanCount) - spans.length : 0,
          logs: logsCut ? count(traceLogCount) - logs.length : 0,
        };
      }
      return trace;
    },
    traceIdsWithPrefix(prefix, limit) {
      const low = prefix.toLowerCase();
      const rows = idsInRange.all(low, `${low}g`, limit) as { trace_id: string }[];
      return rows.map((row) => row.trace_id);
    },
    findTraceIds(query) {
      if (query.limit < 1) return [];
      const where: string[] = [];
      const params: SQLInputValue[] = [];
      const add = (clause: string, ...values: SQLInputValue[]) => {
        where.push(clause);
        params.push(...values);
      };
      if (query.minDurationUs !== undefined) add("duration_us >= ?", query.minDurationUs);
      if (query.maxDurationUs !== undefined) add("duration_us <= ?", query.maxDurationUs);
      const time: string[] = [];
      const timeParams: SQLInputValue[] = [];
      if (query.startUs !== undefined) time.push("start_us >= ?"), timeParams.push(query.startUs);
      if (query.endUs !== undefined) time.push("start_us <= ?"), timeParams.push(query.endUs);
      for (const [key, value] of Object.entries(query.tags ?? {})) {
        // The span's own attribute wins; only without one does its resource's count.
        const path = `$."${key.replaceAll('"', '\\"')}"`;
        add(
          `(json_extract(tags, ?) = ? OR (json_extract(tags, ?) IS NULL AND resource_id IN
            (SELECT id FROM resources WHERE json_extract(tags, ?) = ?)))`,
          path,
          value,
          path,
          path,
          value,
        );
      }
      if (query.service !== undefined && query.operation === undefined) {
        return serviceSearch(query.service, { time, timeParams, where, params }, query.limit);
      }
      const found = plainSearch(query, [...time, ...where], [...timeParams, ...params]);
      // Newest matching spans first: a trace's first span met carries its latest start, so the
      // first `limit` distinct traces are the answer. Reading a few rows and more only when
      // needed avoids grouping every matching span (a million of them for a busy service).
      const ids = new Set<string>();
      for (let rows = query.limit * 16;; rows *= 4) {
        const { traceIds, exhausted } = found(rows);
        for (const traceId of traceIds) {
          ids.add(traceId);
          if (ids.size === query.limit) return [...ids];
        }
        if (exhausted) return [...ids];
      }
    },
    services() {
      const rows = db.prepare("SELECT DISTINCT service FROM operations ORDER BY service").all();
      return (rows as { service: string }[]).map((row) => row.service);
    },
    operations(service) {
      const rows = service === undefined
        ? db.prepare("SELECT service, operation, kind FROM operations ORDER BY 1, 2").all()
        : db.prepare("SELECT service, operation, kind FROM operations WHERE service = ? ORDER BY 2")
          .all(service);
      return (rows as { service: string; operation: string; kind: number }[])
        .map((row) => ({ service: row.service, name: row.operation, kind: row.kind }));
    },
    dependencies(startUs, endUs) {
      const rows = db.prepare(
        `SELECT p.service AS parent, c.service AS child, COUNT(*) AS calls
         FROM spans c JOIN spans p ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id
         WHERE c.start_us BETWEEN ? AND ? AND p.service <> c.service
         GROUP BY p.service, c.service ORDER BY p.service, c.service`,
      ).all(startUs, endUs) as { parent: string; child: string; calls: number }[];
      return rows.map((row) => ({ parent: row.parent, child: row.child, callCount: row.calls }));
    },
    spanSamples({ service, operation, kind, sinceUs }) {
      // By operation, so that each operation's spans since `sinceUs` are one index range.
      const rows = operation === undefined
        ? db.prepare(
          `SELECT ${SAFE_DURATION}, error FROM spans WHERE service = ? AND operation IN
           (SELECT operation FROM operations WHERE service = ?) AND start_us >= ?`,
        ).all(service, service, sinceUs)
        : kind === undefined
        ? db.prepare(
          `SELECT ${SAFE_DURATION}, error FROM spans
           WHERE service = ? AND operation = ? AND start_us >= ?`,
        ).all(service, operation, sinceUs)
        : db.prepare(
          `SELECT ${SAFE_DURATION}, error FROM spans
           WHERE service = ? AND operation = ? AND start_us >= ? AND kind = ?`,
        ).all(service, operation, sinceUs, kind);
      return (rows as { duration_us: number; error: number }[])
        .map((row) => ({ durationUs: row.duration_us, error: row.error === 1 }));
    },
    metricSpans({ services, kinds, sinceUs, untilUs, limit }) {
      if (kinds.length === 0) return [];
      // By operation, so that each operation's spans in the window are one index range.
      const kindList = kinds.map(() => "?").join(", ");
      const statement = db.prepare(
        `SELECT service, operation, ${SAFE_START}, ${SAFE_DURATION}, error FROM spans
         WHERE service = ? AND operation IN (SELECT operation FROM operations
           WHERE service = ? AND kind IN (${kindList}))
         AND kind IN (${kindList}) AND start_us BETWEEN ? AND ? LIMIT ?`,
      );
      const rows = [...new Set(services)].flatMap((service) =>
        statement.all(service, service, ...kinds, ...kinds, sinceUs, untilUs, limit) as {
          service: string;
          operation: string;
          start_us: number;
          duration_us: number;
          error: number;
        }[]
      );
      return rows.map((row) => ({
        service: row.service,
        operation: row.operation,
        startUs: row.start_us,
        durationUs: row.duration_us,
        error: row.error === 1,
      })).sort((a, b) => a.startUs - b.startUs);
    },
    spanCount() {
      return Number((db.prepare("SELECT COUNT(*) AS n FROM spans").get() as { n: number }).n);
    },
  };
}
