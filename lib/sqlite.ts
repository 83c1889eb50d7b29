/**
 * SQLite through `node:sqlite`, with a CLIENT span per query that follows the database semantic
 * conventions: named `SELECT users`, carrying the query text with its `?` placeholders and never
 * the bound values.
 */
import { recordSpanError } from "./span_error.ts";
import { type Attributes, SpanKind, type Tracer } from "@opentelemetry/api";
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
  /** Whether the database answers a trivial query (untraced, for `/ready`). */
  ping(): boolean;
  close(): void;
}

/** Opens (creating if needed) the database at `path` in WAL mode. */
export function openDatabase(path: string, options: { tracer: Tracer }): TracedDatabase {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
  const statements = new Map<string, StatementSync>();
  const namespace = path.split(/[\\/]/).at(-1) ?? path;
  const prepare = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const traced = <T>(sql: string, work: (statement: StatementSync) => T): T => {
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
    const span = options.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes });
    try {
      return work(prepare(sql));
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
    ping: () => {
      try {
        return db.isOpen && db.prepare("SELECT 1").get() !== undefined;
      } catch {
        return false;
      }
    },
    close: () => {
      statements.clear();
      if (db.isOpen) db.close();
    },
  };
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
