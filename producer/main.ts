/** Starts the producer. */
import { Broker } from "../lib/amqp/broker.ts";
import { startService } from "../lib/config/start.ts";
import { FaultRegistry } from "../lib/faults/registry.ts";
import { createApp } from "./app.ts";
import { PRODUCER_FAULTS } from "./faults.ts";
import { loadConfig, PRODUCER_SPEC } from "./config.ts";
import { LoadRuns } from "./load.ts";

await startService({
  spec: PRODUCER_SPEC,
  loadConfig,
  async start({ config, logger, telemetry }) {
    const broker = new Broker(config, { tracer: telemetry.tracer, logger });
    await broker.open();
    const loads = new LoadRuns({ maxRuns: config.loadMaxRuns });
    const readiness = { rabbitmq: () => broker.readiness() };
    const deps = { ...config, queue: config.amqp.queue, publisher: broker.publisher, loads };
    const faults = new FaultRegistry(PRODUCER_FAULTS, { logger, initial: config.faults.initial });
    const faultsToken = config.faults.token;
    const app = createApp({ ...deps, logger, telemetry, readiness, faults, faultsToken });
    return {
      app,
      beforeDrain: [{ name: "load runs", close: () => loads.stopAll() }],
      closers: [{ name: "rabbitmq", close: () => broker.close() }],
    };
  },
});
