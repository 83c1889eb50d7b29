/**
 * SQLite through `node:sqlite`, with a CLIENT span per query that follows the database semantic
 * conventions: named `SELECT users`, carrying the query text with its `?` placeholders and never
 * the bound values.
 */
import { recordSpanError } from "./telemetry/span_error.ts";
import { markSpan, takeHeldFaults } from "./faults/span_marks.ts";
import { type Attributes, SpanKind, trace, type Tracer } from "@opentelemetry/api";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";

/** Values that may be bound to `?` placeholders. */
export type SqlValue = SQLInputValue;

/** A SQLite database whose queries are traced. */
export interface TracedDatabase {
  /** Runs a statement that returns no rows; resolves to the number of changed rows. */
  run(sql: string, params?: readonly SqlValue[]): number;
  /** The first row, or `undefined`. */
  get<T>(sql: string, params?: readonly SqlValue[]): T | undefined;
  /** Every row. */
  all<T>(sql: string, params?: readonly SqlValue[]): T[];
  /** Runs schema statements (untraced: they run once at start). */
  exec(sql: string): void;
  /** The column names of `table`, empty when it does not exist (untraced: a start-up probe). */
  columns(table: string): string[];
  /** Whether the database answers a trivial query (untraced, for `/ready`). */
  ping(): boolean;
  close(): void;
}

/** Opens (creating if needed) the database at `path` in WAL mode. */
export function openDatabase(path: string, options: { tracer: Tracer }): TracedDatabase {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
  const namespace = path.split(/[\\/]/).at(-1) ?? path;
  // Statement, span name and attributes are worked out once per SQL text, not once per query.
  const prepared = new Map<string, PreparedQuery>();
  const describe = (sql: string): PreparedQuery => {
    let query = prepared.get(sql);
    if (query === undefined) {
      query = describeQuery(sql, namespace);
      prepared.set(sql, query);
    }
    return query;
  };
  // Prepared inside the span, so a statement that does not compile is recorded on it.
  const statementOf = (query: PreparedQuery, sql: string): StatementSync =>
    query.statement ??= db.prepare(sql);
  const traced = <T>(sql: string, work: (statement: StatementSync) => T): T => {
    const query = describe(sql);
    // A child of a span that is not sampled is not sampled either (parent-based sampling), so
    // the query runs without a span instead of building one that records nothing.
    const parent = trace.getActiveSpan();
    if (parent !== undefined && !parent.isRecording()) return work(statementOf(query, sql));
    // A fault's wait (lib/faults/store_faults.ts) belongs inside the query's span.
    const held = takeHeldFaults();
    const span = options.tracer.startSpan(query.name, {
      kind: SpanKind.CLIENT,
      ...(held === undefined ? {} : { startTime: held.startTime }),
    });
    if (span.isRecording()) span.setAttributes(query.attributes);
    if (held !== undefined) markSpan(span, held.marks);
    try {
      if (held?.failure !== undefined) throw held.failure;
      return work(statementOf(query, sql));
    } catch (error) {
      recordSpanError(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
  return {
    run: (sql, params = []) => Number(traced(sql, (s) => s.run(...params)).changes),
    get: <T>(sql: string, params: readonly SqlValue[] = []) =>
      traced(sql, (s) => s.get(...params)) as T | undefined,
    all: <T>(sql: string, params: readonly SqlValue[] = []) =>
      traced(sql, (s) => s.all(...params)) as T[],
    exec: (sql) => db.exec(sql),
    columns: (table) =>
      (db.prepare("SELECT name FROM pragma_table_info(?)").all(table) as { name: string }[])
        .map((column) => column.name),
    ping: () => {
      try {
        return db.isOpen && db.prepare("SELECT 1").get() !== undefined;
      } catch {
        return false;
      }
    },
    close: () => {
      prepared.clear();
      if (db.isOpen) db.close();
    },
  };
}

interface PreparedQuery {
  statement?: StatementSync;
  name: string;
  attributes: Attributes;
}

function describeQuery(sql: string, namespace: string): { name: string; attributes: Attributes } {
  const summary = summarize(sql);
  const attributes: Attributes = {
    "db.system.name": "sqlite",
    "db.namespace": namespace,
    "db.operation.name": summary.operation,
    "db.query.text": sql,
  };
  if (summary.collection !== undefined) attributes["db.collection.name"] = summary.collection;
  const name = summary.collection === undefined
    ? summary.operation
    : `${summary.operation} ${summary.collection}`;
  return { name, attributes };
}

/** The operation and table of a statement, for the span name. */
export function summarize(sql: string): { operation: string; collection?: string } {
  const text = sql.trim().replace(/\s+/g, " ");
  const operation = (text.split(" ")[0] ?? "QUERY").toUpperCase();
  const pattern = operation === "SELECT" || operation === "DELETE"
    ? /\bFROM\s+["`]?(\w+)/i
    : operation === "INSERT" || operation === "REPLACE"
    ? /\bINTO\s+["`]?(\w+)/i
    : operation === "UPDATE"
    ? /^UPDATE\s+(?:OR\s+\w+\s+)?["`]?(\w+)/i
    : undefined;
  const collection = pattern?.exec(text)?.[1];
  return collection === undefined ? { operation } : { operation, collection };
}
