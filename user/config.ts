/** The user service's settings, read once from env. */
import { createEnvReader, type Env } from "../lib/config/env_reader.ts";
import {
  readServiceConfig,
  type ServiceConfig,
  serviceSpec,
} from "../lib/config/service_config.ts";

/** What `--help` and the README say about the user service. */
export const USER_SPEC = serviceSpec({
  service: "user",
  summary: "users over HTTP, stored in SQLite (DATA_DIR/users.db)",
  port: 3001,
  dataDir: true,
});

/** The user service's config. */
export type UserConfig = ServiceConfig;

/** Reads and validates the config; throws one `ConfigError` listing every bad variable. */
export function loadConfig(env: Env): UserConfig {
  const read = createEnvReader(env);
  const config = readServiceConfig(read, USER_SPEC);
  read.assertValid();
  return Object.freeze(config);
}
