/** Start-up helpers shared by every `main.ts`. */
import { ConfigError, type Env, redactUrl } from "./env_reader.ts";
import { createLogger, type Logger } from "../log.ts";

/**
 * Loads the config from the process env; on a `ConfigError` prints every problem as one JSON log
 * line and exits with status 78 (EX_CONFIG) instead of a stack trace.
 */
export function loadConfigOrExit<T>(service: string, load: (env: Env) => T): T {
  try {
    return load(Deno.env.toObject());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger({ service }).error("Invalid configuration", { problems: error.problems });
    Deno.exit(78);
  }
}

/** Logs the effective config once, with header values and URL passwords masked. */
export function logConfig(logger: Logger, config: object): void {
  logger.info("Config loaded", { config: JSON.parse(JSON.stringify(config, maskSecrets)) });
}

function maskSecrets(key: string, value: unknown): unknown {
  if (key === "headers" && value !== null && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).map((name) => [name, "***"]));
  }
  // URLs such as RABBITMQ_URL carry credentials: amqp://user:***@host
  if (typeof value === "string" && value.includes("@")) return redactUrl(value);
  return value;
}
