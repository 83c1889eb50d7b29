/** The consumer's settings, read once from env. */
import { AMQP_VARIABLES, type AmqpConfig, readAmqpConfig } from "../lib/amqp/config.ts";
import { createEnvReader, type Env } from "../lib/config/env_reader.ts";
import { type FaultsConfig, faultVariables, readFaultsConfig } from "../lib/faults/config.ts";
import { int, number } from "../lib/config/parsers.ts";
import {
  readServiceConfig,
  type ServiceConfig,
  serviceSpec,
} from "../lib/config/service_config.ts";
import { declareVariables, Invalid, type Parser } from "../lib/config/variables.ts";
import type { Priority } from "../producer/message.ts";
import type { WorkRange } from "./work.ts";
import { CONSUMER_FAULTS } from "./faults.ts";

/** `MIN-MAX` or a single number of milliseconds; `0` turns the simulated work off. */
function workRange(): Parser<WorkRange> {
  return (value) => {
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(value);
    const min = Number(match?.[1]);
    const max = match?.[2] === undefined ? min : Number(match[2]);
    if (match === null || max < min || max > 600_000) {
      return new Invalid("milliseconds as MIN-MAX (e.g. 100-300) or one number; 0 for none");
    }
    return Object.freeze({ min, max });
  };
}

/** The consumer's own variables. */
export const CONSUMER_VARIABLES = declareVariables("consumer", {
  PREFETCH: {
    parse: int({ min: 1, max: 10_000 }),
    default: "10",
    meaning: "unacknowledged messages at once, processed concurrently",
  },
  MAX_RETRIES: {
    parse: int({ min: 0, max: 100 }),
    default: "1",
    meaning: "retries of a failed message before it is dead-lettered",
  },
  FAILURE_RATE: {
    parse: number({ min: 0, max: 1 }),
    default: "0",
    meaning: "share of attempts that fail on purpose, from 0 to 1: starts the " +
      "`processing_errors` fault at this rate unless `FAULTS` names it",
  },
  WORK_HIGH_MS: {
    parse: workRange(),
    default: "100-300",
    meaning: "simulated work for high priority, `MIN-MAX` or one number; `0` turns it off",
  },
  WORK_NORMAL_MS: {
    parse: workRange(),
    default: "200-500",
    meaning: "simulated work for normal priority",
  },
  WORK_LOW_MS: {
    parse: workRange(),
    default: "500-1500",
    meaning: "simulated work for low priority",
  },
});

/** What `--help` and the README say about the consumer. */
export const CONSUMER_SPEC = serviceSpec({
  service: "consumer",
  summary: "processes messages from RabbitMQ",
  port: 8086,
  dataDir: false,
  own: [AMQP_VARIABLES.group, CONSUMER_VARIABLES.group, faultVariables(CONSUMER_FAULTS).group],
});

/** The consumer's config. */
export interface ConsumerConfig extends ServiceConfig {
  readonly amqp: AmqpConfig;
  /** PREFETCH: unacknowledged messages at once, processed concurrently. */
  readonly prefetch: number;
  /** MAX_RETRIES: retries of a failed message before it is dead-lettered. */
  readonly maxRetries: number;
  /** FAILURE_RATE: the share of attempts that fail on purpose, from 0 to 1. */
  readonly failureRate: number;
  /** WORK_HIGH_MS, WORK_NORMAL_MS, WORK_LOW_MS: simulated work per priority. */
  readonly work: Readonly<Record<Priority, WorkRange>>;
  /** FAULTS and FAULTS_TOKEN. */
  readonly faults: FaultsConfig;
}

/** Reads and validates the config; throws one `ConfigError` listing every bad variable. */
export function loadConfig(env: Env): ConsumerConfig {
  const read = createEnvReader(env);
  const v = CONSUMER_VARIABLES;
  const config: ConsumerConfig = {
    ...readServiceConfig(read, CONSUMER_SPEC),
    amqp: readAmqpConfig(read),
    prefetch: read.value(v.PREFETCH),
    maxRetries: read.value(v.MAX_RETRIES),
    failureRate: read.value(v.FAILURE_RATE),
    work: Object.freeze({
      high: read.value(v.WORK_HIGH_MS),
      normal: read.value(v.WORK_NORMAL_MS),
      low: read.value(v.WORK_LOW_MS),
    }),
    faults: readFaultsConfig(read, CONSUMER_FAULTS),
  };
  read.assertValid();
  return Object.freeze(config);
}
