/** The user service's settings, read once from env. */
import { type DatabaseConfig, readDatabaseConfig } from "../lib/config/database_config.ts";
import { createEnvReader, type Env } from "../lib/config/env_reader.ts";
import { readServiceConfig, type ServiceConfig } from "../lib/config/service_config.ts";

/** The user service's config. */
export interface UserConfig extends ServiceConfig {
  readonly database: DatabaseConfig;
}

/** Reads and validates the config; throws one `ConfigError` listing every bad variable. */
export function loadConfig(env: Env): UserConfig {
  const read = createEnvReader(env);
  const config = {
    ...readServiceConfig(read, { service: "user", port: 3001 }),
    database: readDatabaseConfig(read),
  };
  read.assertValid();
  return Object.freeze(config);
}
