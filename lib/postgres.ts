/**
 * PostgreSQL through node-postgres' `Pool`, with a CLIENT span per query that follows the database
 * semantic conventions the same way `lib/sqlite.ts` does: named `SELECT users`, carrying the query
 * text with its `$1` placeholders and never the bound values, plus `server.address`/`server.port`.
 * Failures that are not the query's fault become `DatabaseUnavailableError` (answered 503).
 */
// @ts-types="@types/pg"
import pg from "pg";
import { type Attributes, SpanKind, trace, type Tracer } from "@opentelemetry/api";
import { redactUrl, redactUrlsIn } from "./config/redact_url.ts";
import { DatabaseUnavailableError } from "./database_error.ts";
import type { Logger } from "./log.ts";
import { summarize } from "./sqlite.ts";
import { markSpan, takeHeldFaults } from "./faults/span_marks.ts";
import { recordSpanError } from "./telemetry/span_error.ts";

/** Values that may be bound to `$n` placeholders. */
export type PgValue = string | number | boolean | null | Date;

/** What `PostgresDatabase` needs besides the URL. */
export interface PostgresOptions {
  tracer: Tracer;
  logger: Logger;
  /** Connections the pool may open. */
  poolSize: number;
  /** Statements running longer are cancelled by the server (SQLSTATE 57014). */
  statementTimeoutMs: number;
  /** `application_name`, shown in `pg_stat_activity`. */
  applicationName?: string;
}

/** One schema change; versions start at 1 and only grow. */
export interface Migration {
  version: number;
  sql: string;
}

/** A failed connection attempt gives up after this long (also the wait for a free connection). */
const CONNECT_TIMEOUT_MS = 5000;
/**
 * One advisory lock for every migration in the database, not one per table: two different
 * `CREATE TABLE IF NOT EXISTS` running at once can still collide in the catalog.
 */
const MIGRATION_LOCK = "tracing-demo:migrations";
/** Migrations may wait for another replica's migration, which the statement timeout would cut. */
const MIGRATION_TIMEOUT = "60s";

/** A pool of connections to one PostgreSQL database whose queries are traced. */
export class PostgresDatabase {
  /** The URL with its password masked, for logs, errors and `/health`. */
  readonly displayUrl: string;
  readonly #pool: pg.Pool;
  readonly #tracer: Tracer;
  readonly #base: Attributes;
  // Span name and attributes are worked out once per SQL text, not once per query.
  readonly #described = new Map<string, { name: string; attributes: Attributes }>();

  constructor(url: string, options: PostgresOptions) {
    this.displayUrl = redactUrl(url);
    this.#tracer = options.tracer;
    this.#pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize,
      statement_timeout: options.statementTimeoutMs,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: options.applicationName,
      keepAlive: true,
    });
    // An idle connection the server drops emits "error" on the pool; unhandled, it would end the
    // process. The pool discards that connection and opens a new one on the next query.
    this.#pool.on("error", (error) => {
      options.logger.warn("PostgreSQL dropped an idle connection", { error: error.message });
    });
    const parsed = new URL(url);
    this.#base = {
      "db.system.name": "postgresql",
      "db.namespace": decodeURIComponent(parsed.pathname.slice(1)) || parsed.username || "postgres",
      "server.address": parsed.hostname || "localhost",
      "server.port": parsed.port === "" ? 5432 : Number(parsed.port),
    };
  }

  /** Every row of a traced query. */
  async query<T>(sql: string, params: readonly PgValue[] = []): Promise<T[]> {
    return (await this.#traced(sql, params)).rows as T[];
  }

  /** The first row of a traced query, or `undefined`. */
  async first<T>(sql: string, params: readonly PgValue[] = []): Promise<T | undefined> {
    return (await this.#traced(sql, params)).rows[0] as T | undefined;
  }

  /** Runs a traced statement; resolves to the number of rows it changed. */
  async run(sql: string, params: readonly PgValue[] = []): Promise<number> {
    return (await this.#traced(sql, params)).rowCount ?? 0;
  }

  /**
   * Applies the migrations of `name` not yet recorded in `schema_migrations`, in one transaction
   * under an advisory lock, so replicas starting at once apply each exactly once (untraced: it
   * runs once at start).
   */
  async migrate(name: string, migrations: readonly Migration[]): Promise<void> {
    const client = await this.#pool.connect().catch((error) => {
      throw this.#classify(error) ?? error;
    });
    try {
      await client.query("BEGIN");
      await client.query(`SET LOCAL statement_timeout = '${MIGRATION_TIMEOUT}'`);
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [MIGRATION_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (name, version)
      )`);
      const { rows } = await client.query<{ version: number | null }>(
        "SELECT max(version) AS version FROM schema_migrations WHERE name = $1",
        [name],
      );
      const applied = rows[0]?.version ?? 0;
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (migration.version <= applied) continue;
        await client.query(migration.sql);
        await client.query("INSERT INTO schema_migrations (name, version) VALUES ($1, $2)", [
          name,
          migration.version,
        ]);
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw this.#classify(error) ?? error;
    } finally {
      client.release();
    }
  }

  /** `true` when the database answers a trivial query, else the reason (untraced, for `/ready`). */
  async ping(): Promise<true | string> {
    try {
      await this.#pool.query("SELECT 1");
      return true;
    } catch (error) {
      return (this.#classify(error) ?? error as Error).message;
    }
  }

  /** Closes every connection; queries after this fail. */
  async close(): Promise<void> {
    if (!this.#pool.ended) await this.#pool.end();
  }

  async #traced(sql: string, params: readonly PgValue[]): Promise<pg.QueryResult> {
    // A child of a span that is not sampled is not sampled either (parent-based sampling), so
    // the query runs without a span instead of building one that records nothing.
    const parent = trace.getActiveSpan();
    if (parent !== undefined && !parent.isRecording()) return await this.#send(sql, params);
    const query = this.#describe(sql);
    // A fault's wait (lib/faults/store_faults.ts) belongs inside the query's span.
    const held = takeHeldFaults();
    const span = this.#tracer.startSpan(query.name, {
      kind: SpanKind.CLIENT,
      ...(held === undefined ? {} : { startTime: held.startTime }),
    });
    if (span.isRecording()) span.setAttributes(query.attributes);
    if (held !== undefined) markSpan(span, held.marks);
    try {
      if (held?.failure !== undefined) throw held.failure;
      return await this.#send(sql, params);
    } catch (error) {
      // Semantic conventions: the SQLSTATE is the status code and, when there is one, error.type.
      const cause = error instanceof DatabaseUnavailableError ? error.cause : error;
      const code = cause instanceof pg.DatabaseError ? cause.code : undefined;
      if (code !== undefined && span.isRecording()) {
        span.setAttribute("db.response.status_code", code);
      }
      recordSpanError(span, error, code);
      throw error;
    } finally {
      span.end();
    }
  }

  async #send(sql: string, params: readonly PgValue[]): Promise<pg.QueryResult> {
    try {
      return await this.#pool.query(sql, params as PgValue[]);
    } catch (error) {
      throw this.#classify(error) ?? error;
    }
  }

  #describe(sql: string): { name: string; attributes: Attributes } {
    let described = this.#described.get(sql);
    if (described === undefined) {
      const { operation, collection } = summarize(sql);
      const attributes: Attributes = {
        ...this.#base,
        "db.operation.name": operation,
        "db.query.text": sql,
      };
      if (collection !== undefined) attributes["db.collection.name"] = collection;
      described = {
        name: collection === undefined ? operation : `${operation} ${collection}`,
        attributes,
      };
      this.#described.set(sql, described);
    }
    return described;
  }

  /** A `DatabaseUnavailableError` for failures that are not the query's fault, else `undefined`. */
  #classify(error: unknown): DatabaseUnavailableError | undefined {
    if (error instanceof DatabaseUnavailableError) return error;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof pg.DatabaseError) {
      const code = error.code ?? "";
      if (code === "57014") {
        return new DatabaseUnavailableError(
          "timeout",
          `PostgreSQL cancelled a statement: ${message}`,
          { cause: error },
        );
      }
      if (!UNAVAILABLE_SQLSTATE.test(code)) return undefined;
    }
    // Anything else node-postgres throws from a query is about the connection: refused, reset,
    // closed, or no free connection within CONNECT_TIMEOUT_MS.
    return new DatabaseUnavailableError(
      "unavailable",
      `PostgreSQL at ${this.displayUrl} is unavailable: ${redactUrlsIn(message)}`,
      { cause: error },
    );
  }
}

/**
 * Server errors that say the database, not the statement, is the problem: connection exceptions
 * (08), insufficient resources (53), operator intervention such as a terminated backend (57P),
 * unknown database (3D000), failed authentication (28) and a database that refuses connections
 * (55000).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P|3D000|28|55000)/;
