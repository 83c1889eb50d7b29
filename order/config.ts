/** The order service's settings, read once from env. */
import {
  DATABASE_VARIABLES,
  type DatabaseConfig,
  readDatabaseConfig,
} from "../lib/config/database_config.ts";
import { createEnvReader, type Env } from "../lib/config/env_reader.ts";
import { type FaultsConfig, faultVariables, readFaultsConfig } from "../lib/faults/config.ts";
import { int, url } from "../lib/config/parsers.ts";
import {
  readServiceConfig,
  type ServiceConfig,
  serviceSpec,
} from "../lib/config/service_config.ts";
import { declareVariables } from "../lib/config/variables.ts";
import { ORDER_FAULTS } from "./faults.ts";

/** The order service's own variables. */
export const ORDER_VARIABLES = declareVariables("order", {
  USER_SERVICE_URL: {
    parse: url(),
    default: "http://127.0.0.1:3001",
    meaning: "where `user` answers",
  },
  USER_SERVICE_TIMEOUT_MS: {
    parse: int({ min: 1, max: 60_000 }),
    default: "2000",
    meaning: "a slower user lookup fails the order with 503",
  },
});

/** What `--help` and the README say about the order service. */
export const ORDER_SPEC = serviceSpec({
  service: "order",
  summary: "orders over HTTP, checked against user, in SQLite (DATA_DIR/orders.db) or PostgreSQL",
  port: 3000,
  dataDir: true,
  own: [DATABASE_VARIABLES.group, ORDER_VARIABLES.group, faultVariables(ORDER_FAULTS).group],
});

/** The order service's config. */
export interface OrderConfig extends ServiceConfig {
  /** USER_SERVICE_URL: where the user service answers. */
  readonly userServiceUrl: string;
  /** USER_SERVICE_TIMEOUT_MS: how long a user lookup may take before the order gets 503. */
  readonly userServiceTimeoutMs: number;
  /** DATABASE_URL and its pool settings: SQLite in DATA_DIR, or PostgreSQL. */
  readonly database: DatabaseConfig;
  /** FAULTS and FAULTS_TOKEN. */
  readonly faults: FaultsConfig;
}

/** Reads and validates the config; throws one `ConfigError` listing every bad variable. */
export function loadConfig(env: Env): OrderConfig {
  const read = createEnvReader(env);
  const config = {
    ...readServiceConfig(read, ORDER_SPEC),
    userServiceUrl: read.value(ORDER_VARIABLES.USER_SERVICE_URL),
    userServiceTimeoutMs: read.value(ORDER_VARIABLES.USER_SERVICE_TIMEOUT_MS),
    database: readDatabaseConfig(read),
    faults: readFaultsConfig(read, ORDER_FAULTS),
  };
  read.assertValid();
  return Object.freeze(config);
}
