/** The producer's settings, read once from env. */
import { AMQP_VARIABLES, type AmqpConfig, readAmqpConfig } from "../lib/amqp/config.ts";
import { createEnvReader, type Env } from "../lib/config/env_reader.ts";
import { type FaultsConfig, faultVariables, readFaultsConfig } from "../lib/faults/config.ts";
import { int } from "../lib/config/parsers.ts";
import {
  readServiceConfig,
  type ServiceConfig,
  serviceSpec,
} from "../lib/config/service_config.ts";
import { declareVariables } from "../lib/config/variables.ts";
import { PRODUCER_FAULTS } from "./faults.ts";

/** The producer's own variables. */
export const PRODUCER_VARIABLES = declareVariables("producer", {
  LOAD_MAX_RUNS: {
    parse: int({ min: 1, max: 100 }),
    default: "4",
    meaning: 'most simulate-load runs at once when a request asks for `"concurrent": true`',
  },
});

/** What `--help` and the README say about the producer. */
export const PRODUCER_SPEC = serviceSpec({
  service: "producer",
  summary: "publishes messages to RabbitMQ over HTTP",
  port: 8085,
  dataDir: false,
  own: [AMQP_VARIABLES.group, PRODUCER_VARIABLES.group, faultVariables(PRODUCER_FAULTS).group],
});

/** The producer's config. */
export interface ProducerConfig extends ServiceConfig {
  readonly amqp: AmqpConfig;
  /** LOAD_MAX_RUNS: simulate-load runs allowed at once when a request asks for concurrency. */
  readonly loadMaxRuns: number;
  /** FAULTS and FAULTS_TOKEN. */
  readonly faults: FaultsConfig;
}

/** Reads and validates the config; throws one `ConfigError` listing every bad variable. */
export function loadConfig(env: Env): ProducerConfig {
  const read = createEnvReader(env);
  const config: ProducerConfig = {
    ...readServiceConfig(read, PRODUCER_SPEC),
    amqp: readAmqpConfig(read),
    loadMaxRuns: read.value(PRODUCER_VARIABLES.LOAD_MAX_RUNS),
    faults: readFaultsConfig(read, PRODUCER_FAULTS),
  };
  read.assertValid();
  return Object.freeze(config);
}
