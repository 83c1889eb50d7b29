/** Starts the producer. */
import { brokerAttributes } from "../lib/amqp/message.ts";
import { AmqpConnection } from "../lib/amqp/connection.ts";
import { AmqpPublisher } from "../lib/amqp/publish.ts";
import { createLogger } from "../lib/log.ts";
import { serveApp } from "../lib/http/serve.ts";
import { loadConfigOrExit, logConfig } from "../lib/config/start.ts";
import { startTelemetry } from "../lib/telemetry/setup.ts";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { LoadRuns } from "./load.ts";
import { handleCliFlags } from "../lib/config/cli.ts";
import { CLI_SPECS } from "../lib/config/cli_variables.ts";

await handleCliFlags(CLI_SPECS.producer);
const config = loadConfigOrExit("producer", loadConfig);
const logger = createLogger({
  service: config.telemetry.serviceName,
  level: config.logLevel,
  format: config.logFormat,
});
logConfig(logger, config);
const telemetry = startTelemetry(config.telemetry, { logger });

const { amqp } = config;
const connection = new AmqpConnection({ ...amqp, logger, name: `producer pid ${Deno.pid}` });
const publisher = new AmqpPublisher(connection, {
  queue: amqp.queue,
  tracer: telemetry.tracer,
  timeoutMs: amqp.publishTimeoutMs,
  attributes: brokerAttributes(amqp.url),
});
await connection.open();
const loads = new LoadRuns({ maxRuns: config.loadMaxRuns });

const app = createApp({
  publisher,
  loads,
  queue: amqp.queue,
  logger,
  telemetry,
  maxBodyBytes: config.maxBodyBytes,
  readiness: { rabbitmq: () => publisher.ready || connection.readiness() },
});
serveApp(app, {
  ...config,
  logger,
  telemetry,
  beforeDrain: [{ name: "load runs", close: () => loads.stopAll() }],
  closers: [{ name: "rabbitmq", close: () => connection.close() }],
});
