/** The user service's settings, read once from env. */
import {
  DATABASE_VARIABLES,
  type DatabaseConfig,
  readDatabaseConfig,
} from "../lib/config/database_config.ts";
import { createEnvReader, type Env } from "../lib/config/env_reader.ts";
import { type FaultsConfig, faultVariables, readFaultsConfig } from "../lib/faults/config.ts";
import {
  readServiceConfig,
  type ServiceConfig,
  serviceSpec,
} from "../lib/config/service_config.ts";
import { USER_FAULTS } from "./faults.ts";

/** What `--help` and the README say about the user service. */
export const USER_SPEC = serviceSpec({
  service: "user",
  summary: "users over HTTP, stored in SQLite (DATA_DIR/users.db) or PostgreSQL (DATABASE_URL)",
  port: 3001,
  dataDir: true,
  own: [DATABASE_VARIABLES.group, faultVariables(USER_FAULTS).group],
});

/** The user service's config. */
export interface UserConfig extends ServiceConfig {
  /** DATABASE_URL and its pool settings: SQLite in DATA_DIR, or PostgreSQL. */
  readonly database: DatabaseConfig;
  /** FAULTS and FAULTS_TOKEN. */
  readonly faults: FaultsConfig;
}

/** Reads and validates the config; throws one `ConfigError` listing every bad variable. */
export function loadConfig(env: Env): UserConfig {
  const read = createEnvReader(env);
  const config = {
    ...readServiceConfig(read, USER_SPEC),
    database: readDatabaseConfig(read),
    faults: readFaultsConfig(read, USER_FAULTS),
  };
  read.assertValid();
  return Object.freeze(config);
}
