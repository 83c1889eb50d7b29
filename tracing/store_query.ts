/** The store's read side: trace lookup, search, listings, dependencies and latency samples. */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { LogRecord, SpanRecord } from "./span_model.ts";

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
}

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
  getTrace(traceId: string): StoredTrace | undefined;
  /** Trace ids matching `query`, the most recent first. */
  findTraceIds(query: TraceQuery): string[];
  services(): string[];
  operations(service?: string): OperationRow[];
  /** Service-to-service calls among spans that started in `[startUs, endUs]`. */
  dependencies(startUs: number, endUs: number): DependencyEdge[];
  /** Durations and error flags of matching spans since `sinceUs`. */
  spanSamples(
    query: { service: string; operation?: string; sinceUs: number },
  ): { durationUs: number; error: boolean }[];
  spanCount(): number;
}

/** Builds the read queries over an open database. */
export function createStoreQueries(db: DatabaseSync): StoreQueries {
  const traceSpans = db.prepare("SELECT data FROM spans WHERE trace_id = ? ORDER BY start_us");
  const traceLogs = db.prepare("SELECT data FROM logs WHERE trace_id = ? ORDER BY time_us");
  return {
    getTrace(traceId) {
      const id = traceId.toLowerCase();
      const spans = (traceSpans.all(id) as { data: string }[]).map((r) => JSON.parse(r.data));
      if (spans.length === 0) return undefined;
      const logs = (traceLogs.all(id) as { data: string }[]).map((r) => JSON.parse(r.data));
      return { spans, logs };
    },
    findTraceIds(query) {
      const where: string[] = [];
      const params: SQLInputValue[] = [];
      const add = (clause: string, ...values: SQLInputValue[]) => {
        where.push(clause);
        params.push(...values);
      };
      if (query.service !== undefined) add("service = ?", query.service);
      if (query.operation !== undefined) add("operation = ?", query.operation);
      if (query.minDurationUs !== undefined) add("duration_us >= ?", query.minDurationUs);
      if (query.maxDurationUs !== undefined) add("duration_us <= ?", query.maxDurationUs);
      if (query.startUs !== undefined) add("start_us >= ?", query.startUs);
      if (query.endUs !== undefined) add("start_us <= ?", query.endUs);
      for (const [key, value] of Object.entries(query.tags ?? {})) {
        add("json_extract(tags, ?) = ?", `$."${key.replaceAll('"', '\\"')}"`, value);
      }
      const sql = `SELECT trace_id, MAX(start_us) AS latest FROM spans
        ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
        GROUP BY trace_id ORDER BY latest DESC LIMIT ?`;
      const rows = db.prepare(sql).all(...params, query.limit) as { trace_id: string }[];
      return rows.map((row) => row.trace_id);
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
    spanSamples({ service, operation, sinceUs }) {
      const rows = operation === undefined
        ? db.prepare("SELECT duration_us, error FROM spans WHERE service = ? AND start_us >= ?")
          .all(service, sinceUs)
        : db.prepare(
          `SELECT duration_us, error FROM spans
           WHERE service = ? AND operation = ? AND start_us >= ?`,
        ).all(service, operation, sinceUs);
      return (rows as { duration_us: number; error: number }[])
        .map((row) => ({ durationUs: row.duration_us, error: row.error === 1 }));
    },
    spanCount() {
      return Number((db.prepare("SELECT COUNT(*) AS n FROM spans").get() as { n: number }).n);
    },
  };
}
