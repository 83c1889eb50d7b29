/** The order service's settings, read once from env. */
import { type DatabaseConfig, readDatabaseConfig } from "../lib/config/database_config.ts";
import { createEnvReader, type Env } from "../lib/config/env_reader.ts";
import { readServiceConfig, type ServiceConfig } from "../lib/config/service_config.ts";

/** The order service's config. */
export interface OrderConfig extends ServiceConfig {
  /** USER_SERVICE_URL: where the user service answers. */
  readonly userServiceUrl: string;
  /** USER_SERVICE_TIMEOUT_MS: how long a user lookup may take before the order gets 503. */
  readonly userServiceTimeoutMs: number;
  readonly database: DatabaseConfig;
}

/** Reads and validates the config; throws one `ConfigError` listing every bad variable. */
export function loadConfig(env: Env): OrderConfig {
  const read = createEnvReader(env);
  const config = {
    ...readServiceConfig(read, { service: "order", port: 3000 }),
    userServiceUrl: read.url("USER_SERVICE_URL", "http://127.0.0.1:3001"),
    userServiceTimeoutMs: read.int("USER_SERVICE_TIMEOUT_MS", 2000, { min: 1, max: 60_000 }),
    database: readDatabaseConfig(read),
  };
  read.assertValid();
  return Object.freeze(config);
}
