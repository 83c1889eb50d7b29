/** Starts the consumer. */
import { Broker } from "../lib/amqp/broker.ts";
import { startService } from "../lib/config/start.ts";
import { createRegistry } from "../lib/http/metrics.ts";
import { FaultRegistry } from "../lib/faults/registry.ts";
import { createApp } from "./app.ts";
import { CONSUMER_FAULTS, initialConsumerFaults } from "./faults.ts";
import { CONSUMER_SPEC, loadConfig } from "./config.ts";
import { ConsumerStats } from "./stats.ts";
import { createWork } from "./work.ts";
import { createWorker } from "./worker.ts";

await startService({
  spec: CONSUMER_SPEC,
  loadConfig,
  async start({ config, logger, telemetry }) {
    const [registry, stats] = [createRegistry(), new ConsumerStats()];
    const broker = new Broker(config, { tracer: telemetry.tracer, logger });
    const faults = new FaultRegistry(CONSUMER_FAULTS, {
      logger,
      initial: initialConsumerFaults(config.faults.initial, config.failureRate),
    });
    const work = createWork({ ...config, faults });
    const worker = createWorker({ work, stats, registry, logger });
    const consumer = broker.consume({ ...config, ...worker });
    await broker.open();
    const readiness = { rabbitmq: () => broker.readiness() };
    const inFlight = () => consumer.inFlight;
    const app = createApp({
      ...config,
      stats,
      inFlight,
      registry,
      logger,
      telemetry,
      readiness,
      faults,
      faultsToken: config.faults.token,
    });
    const graceMs = config.shutdownTimeoutMs / 2; // then in-flight messages go back to the queue
    return {
      app,
      beforeDrain: [{ name: "consumer", close: () => broker.stopConsuming(graceMs) }],
      closers: [{ name: "rabbitmq", close: () => broker.close() }],
    };
  },
});
