/** How every `main.ts` starts its service, and the start-up steps it is made of. */
import type { Hono } from "hono";
import { handleCliFlags } from "./cli.ts";
import { ConfigError, createEnvReader, type Env } from "./env_reader.ts";
import type { ServiceConfig, ServiceSpec } from "./service_config.ts";
import { maskSecret, redactUrlsIn } from "./redact_url.ts";
import { type Closer, type Listener, type RunningServer, serve } from "../http/serve.ts";
import { createLogger, type Logger } from "../log.ts";
import { configureLogOutput } from "../log_output.ts";
import { startTelemetry, type Telemetry } from "../telemetry/setup.ts";

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
    return redactUrlsIn(value);
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

/** What a service's `start` hands back: its apps and what to close on the way down. */
export interface ServiceParts {
  /** The app on PORT. */
  app: Hono;
  /** More ports, e.g. tracing's OTLP port; they drain with the main one. */
  listeners?: readonly Listener[];
  /** Closed before the servers drain (stop taking work). */
  beforeDrain?: readonly Closer[];
  /** Closed after the servers drained, in order. */
  closers?: readonly Closer[];
}

/** What `start` gets: the loaded config, the logger and the running telemetry. */
export interface ServiceContext<C> {
  config: C;
  logger: Logger;
  telemetry: Telemetry;
}

/**
 * The one way a service starts: answer `--help`/`--version`/`--healthcheck`, load the config
 * (exit 78 listing every bad variable), log it with secrets masked (in LOG_FORMAT), start
 * telemetry (which from then on also ships every log record over OTLP, unless
 * OTEL_LOGS_EXPORTER=none), let `start` open the dependencies and build the apps, then serve
 * every listener until SIGINT/SIGTERM.
 */
export async function startService<C extends ServiceConfig>(options: {
  spec: ServiceSpec;
  loadConfig: (env: Env) => C;
  start: (context: ServiceContext<C>) => ServiceParts | Promise<ServiceParts>;
}): Promise<RunningServer> {
  const { spec } = options;
  await handleCliFlags(spec);
  const config = loadConfigOrExit(spec.service, options.loadConfig);
  configureLogOutput({
    // Deno's built-in telemetry exports console calls as log records, in the caller's context.
    mode: config.logSync || config.telemetry.denoBuiltin ? "sync" : "buffered",
    maxUnwrittenBytes: config.logMaxUnwrittenBytes,
    service: config.telemetry.serviceName,
    format: config.logFormat,
  });
  const logger = createLogger({
    service: config.telemetry.serviceName,
    level: config.logLevel,
    format: config.logFormat,
  });
  logConfig(logger, config, { spec, env: Deno.env.toObject() });
  const telemetry = startTelemetry(config.telemetry, { logger });
  const parts = await options.start({ config, logger, telemetry });
  return serve([{ app: parts.app, port: config.port }, ...(parts.listeners ?? [])], {
    ...config,
    logger,
    telemetry,
    ...(parts.beforeDrain === undefined ? {} : { beforeDrain: parts.beforeDrain }),
    ...(parts.closers === undefined ? {} : { closers: parts.closers }),
  });
}
