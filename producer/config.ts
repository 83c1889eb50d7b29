/** The producer's settings, read once from env. */
import { type AmqpConfig, readAmqpConfig } from "../lib/amqp/config.ts";
import { createEnvReader, type Env } from "../lib/config/env_reader.ts";
import { readServiceConfig, type ServiceConfig } from "../lib/config/service_config.ts";

/** The producer's config. */
export interface ProducerConfig extends ServiceConfig {
  readonly amqp: AmqpConfig;
  /** LOAD_MAX_RUNS: simulate-load runs allowed at once when a request asks for concurrency. */
  readonly loadMaxRuns: number;
}

/** Reads and validates the config; throws one `ConfigError` listing every bad variable. */
export function loadConfig(env: Env): ProducerConfig {
  const read = createEnvReader(env);
  const config: ProducerConfig = {
    ...readServiceConfig(read, { service: "producer", port: 8085 }),
    amqp: readAmqpConfig(read),
    loadMaxRuns: read.int("LOAD_MAX_RUNS", 4, { min: 1, max: 100 }),
  };
  read.assertValid();
  return Object.freeze(config);
}
