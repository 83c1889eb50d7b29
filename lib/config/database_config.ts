/** Where user and order keep their records: the embedded SQLite file, or PostgreSQL. */
import type { EnvReader } from "./env_reader.ts";

/** The store settings of a service with records. */
export interface DatabaseConfig {
  /** DATABASE_URL: `postgres://...`; unset means the embedded SQLite file in DATA_DIR. */
  readonly url?: string;
  /** DATABASE_POOL_SIZE: PostgreSQL connections per process. */
  readonly poolSize: number;
  /** DATABASE_STATEMENT_TIMEOUT_MS: longer statements are cancelled and answered 503. */
  readonly statementTimeoutMs: number;
}

/** Reads the store settings. */
export function readDatabaseConfig(read: EnvReader): DatabaseConfig {
  const url = read.raw("DATABASE_URL") === undefined
    ? undefined
    : read.url("DATABASE_URL", "", ["postgres:", "postgresql:"]);
  return {
    ...(url === undefined ? {} : { url }),
    poolSize: read.int("DATABASE_POOL_SIZE", 10, { min: 1, max: 1000 }),
    statementTimeoutMs: read.int("DATABASE_STATEMENT_TIMEOUT_MS", 5000, { min: 1, max: 3_600_000 }),
  };
}
