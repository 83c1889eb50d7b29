/** Start-up helpers shared by every `main.ts`: a config error exits cleanly; secrets stay out of logs. */
import { ConfigError, createEnvReader, type Env, redactUrl } from "./env_reader.ts";
import type { ServiceSpec } from "./service_config.ts";
import { maskSecret } from "./variables.ts";
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

/**
 * Logs the effective config once. Values of the variables `spec` declares secret (wherever they
 * ended up in `config`) are masked, and so are URL passwords.
 */
export function logConfig(
  logger: Logger,
  config: object,
  options: { spec: ServiceSpec; env: Env },
): void {
  const secrets = secretTexts(options.spec, options.env);
  const mask = (_key: string, value: unknown): unknown => {
    if (typeof value !== "string") return value;
    if (secrets.has(value)) return maskSecret(value);
    // URLs such as RABBITMQ_URL carry credentials: amqp://user:***@host
    return value.includes("@") ? redactUrl(value) : value;
  };
  logger.info("Config loaded", { config: JSON.parse(JSON.stringify(config, mask)) });
}

/** The texts of the secret variables set in `env`, and the strings they parse into. */
function secretTexts(spec: ServiceSpec, env: Env): Set<string> {
  const read = createEnvReader(env);
  const texts = new Set<string>();
  for (const variable of spec.groups.flatMap((group) => group.variables)) {
    if (!variable.secret) continue;
    const raw = read.raw(variable.name);
    if (raw === undefined) continue;
    texts.add(raw);
    const value = read.given(variable);
    const parts = typeof value === "string"
      ? [value]
      : value !== null && typeof value === "object"
      ? Object.values(value)
      : [];
    for (const part of parts) if (typeof part === "string" && part !== "") texts.add(part);
  }
  return texts;
}
