/**
 * Opens the database behind a service's store: the embedded SQLite file in DATA_DIR by default, or
 * PostgreSQL when DATABASE_URL is set. Both give the same store interface, a `/ready` check, a
 * closer and what `/health` shows (the URL with its password masked).
 */
import { join } from "node:path";
import type { Tracer } from "@opentelemetry/api";
import type { DatabaseConfig } from "./config/database_config.ts";
import { DatabaseUnavailableError } from "./database_error.ts";
import type { ReadinessCheck } from "./http/health.ts";
import type { Closer } from "./http/serve.ts";
import type { Logger } from "./log.ts";
import { PostgresDatabase } from "./postgres.ts";
import { openDatabase, type TracedDatabase } from "./sqlite.ts";

/** A store and what the service wires around it. */
export interface OpenedStore<S> {
  store: S;
  /** For `/ready`, by dependency name (`sqlite` or `postgresql`). */
  readiness: Record<string, ReadinessCheck>;
  closer: Closer;
  /** For `/health`: which database, without secrets. */
  health: { database: Record<string, unknown> };
}

/** What `openStore` needs. */
export interface OpenStoreOptions<S> {
  service: string;
  dataDir: string;
  database: DatabaseConfig;
  tracer: Tracer;
  logger: Logger;
  /** The SQLite file name inside DATA_DIR. */
  sqliteFile: string;
  sqlite(db: TracedDatabase): S;
  /** Creates the store, migrating the schema first. */
  postgres(db: PostgresDatabase): Promise<S>;
}

/** Exit status when the database cannot be reached at start (EX_UNAVAILABLE). */
export const EXIT_DATABASE_UNAVAILABLE = 69;

/**
 * Opens the store. A PostgreSQL that cannot be reached at start is not waited for: the error is
 * logged with the masked URL and the process exits 69, so a supervisor (compose's restart policy,
 * systemd, Kubernetes) restarts it with its own backoff. Once running, an outage answers 503.
 */
export async function openStoreOrExit<S>(options: OpenStoreOptions<S>): Promise<OpenedStore<S>> {
  const { database, logger } = options;
  if (database.url === undefined) {
    Deno.mkdirSync(options.dataDir, { recursive: true });
    const path = join(options.dataDir, options.sqliteFile);
    const db = openDatabase(path, { tracer: options.tracer });
    return {
      store: options.sqlite(db),
      readiness: { sqlite: () => db.ping() },
      closer: { name: "sqlite", close: () => db.close() },
      health: { database: { system: "sqlite", file: path } },
    };
  }
  const db = new PostgresDatabase(database.url, {
    tracer: options.tracer,
    logger,
    poolSize: database.poolSize,
    statementTimeoutMs: database.statementTimeoutMs,
    applicationName: options.service,
  });
  try {
    const store = await options.postgres(db);
    logger.info("PostgreSQL schema ready", { url: db.displayUrl });
    return {
      store,
      readiness: { postgresql: () => db.ping() },
      closer: { name: "postgresql", close: () => db.close() },
      health: {
        database: {
          system: "postgresql",
          url: db.displayUrl,
          pool_size: database.poolSize,
          statement_timeout_ms: database.statementTimeoutMs,
        },
      },
    };
  } catch (error) {
    await db.close().catch(() => {});
    if (!(error instanceof DatabaseUnavailableError)) throw error;
    logger.error("Cannot reach PostgreSQL at start", { url: db.displayUrl, error: error.message });
    Deno.exit(EXIT_DATABASE_UNAVAILABLE);
  }
}
