/** Where user and order keep their records: the embedded SQLite file, or PostgreSQL. */
import type { EnvReader } from "./env_reader.ts";
import { int, url } from "./parsers.ts";
import { declareVariables } from "./variables.ts";

/** The store settings of a service with records. */
export interface DatabaseConfig {
  /** DATABASE_URL: `postgres://...`; unset means the embedded SQLite file in DATA_DIR. */
  readonly url?: string;
  /** DATABASE_POOL_SIZE: PostgreSQL connections per process. */
  readonly poolSize: number;
  /** DATABASE_STATEMENT_TIMEOUT_MS: longer statements are cancelled and answered 503. */
  readonly statementTimeoutMs: number;
}

/** The database variables of every service with records (user and order). */
export const DATABASE_VARIABLES = declareVariables("Database", {
  DATABASE_URL: {
    parse: url(["postgres:", "postgresql:"]),
    secret: true,
    meaning: "`postgres://user:password@host:5432/db` keeps the records in PostgreSQL; unset: " +
      "SQLite in `DATA_DIR`; the password is never logged",
  },
  DATABASE_POOL_SIZE: {
    parse: int({ min: 1, max: 1000 }),
    default: "10",
    meaning: "PostgreSQL connections per process (node-postgres `Pool`); more requests wait up " +
      "to 5 s, then 503",
  },
  DATABASE_STATEMENT_TIMEOUT_MS: {
    parse: int({ min: 1, max: 3_600_000 }),
    default: "5000",
    meaning: "PostgreSQL cancels a longer statement; the request gets 503 `database_timeout` " +
      "and its span is an error",
  },
});

/** Reads the store settings through `read`; problems are collected by the reader. */
export function readDatabaseConfig(read: EnvReader): DatabaseConfig {
  const v = DATABASE_VARIABLES;
  const url = read.optional(v.DATABASE_URL);
  return Object.freeze({
    ...(url === undefined ? {} : { url }),
    poolSize: read.value(v.DATABASE_POOL_SIZE),
    statementTimeoutMs: read.value(v.DATABASE_STATEMENT_TIMEOUT_MS),
  });
}
