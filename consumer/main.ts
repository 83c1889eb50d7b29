/** Starts the consumer. */
import { AmqpConnection } from "../lib/amqp/connection.ts";
import { AmqpConsumer } from "../lib/amqp/consume.ts";
import { brokerAttributes } from "../lib/amqp/message.ts";
import { AmqpPublisher } from "../lib/amqp/publish.ts";
import { createLogger } from "../lib/log.ts";
import { createRegistry } from "../lib/http/metrics.ts";
import { serveApp } from "../lib/http/serve.ts";
import { loadConfigOrExit, logConfig } from "../lib/config/start.ts";
import { startTelemetry } from "../lib/telemetry/setup.ts";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { ConsumerStats } from "./stats.ts";
import { createWork } from "./work.ts";
import { createWorker } from "./worker.ts";
import { handleCliFlags } from "../lib/config/cli.ts";
import { CLI_SPECS } from "../lib/config/cli_variables.ts";

await handleCliFlags(CLI_SPECS.consumer);
const config = loadConfigOrExit("consumer", loadConfig);
const logger = createLogger({
  service: config.telemetry.serviceName,
  level: config.logLevel,
  format: config.logFormat,
});
logConfig(logger, config);
const telemetry = startTelemetry(config.telemetry, { logger });

const { amqp } = config;
const registry = createRegistry();
const stats = new ConsumerStats();
const attributes = brokerAttributes(amqp.url);
const connection = new AmqpConnection({ ...amqp, logger, name: `consumer pid ${Deno.pid}` });
const publisher = new AmqpPublisher(connection, {
  queue: amqp.queue,
  tracer: telemetry.tracer,
  timeoutMs: amqp.publishTimeoutMs,
  attributes,
});
const consumer = new AmqpConsumer(connection, publisher, {
  ...config,
  ...createWorker({ work: createWork(config), stats, registry, logger }),
  queue: amqp.queue,
  traceContext: amqp.traceContext,
  tracer: telemetry.tracer,
  logger,
  attributes,
});
await connection.open();

const app = createApp({
  stats,
  inFlight: () => consumer.inFlight,
  registry,
  logger,
  telemetry,
  maxBodyBytes: config.maxBodyBytes,
  readiness: {
    rabbitmq: () => connection.connected ? consumer.readiness() : connection.readiness(),
  },
});
serveApp(app, {
  ...config,
  logger,
  telemetry,
  // Stop taking messages first; in-flight ones get half the deadline, then go back to the queue.
  beforeDrain: [{ name: "consumer", close: () => consumer.stop(config.shutdownTimeoutMs / 2) }],
  closers: [{ name: "rabbitmq", close: () => connection.close() }],
});
