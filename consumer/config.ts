/** The consumer's settings, read once from env. */
import { type AmqpConfig, readAmqpConfig } from "../lib/amqp/config.ts";
import { createEnvReader, type Env, type EnvReader } from "../lib/config/env_reader.ts";
import { readServiceConfig, type ServiceConfig } from "../lib/config/service_config.ts";
import type { Priority } from "../producer/message.ts";
import type { WorkRange } from "./work.ts";

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
}

/** Reads and validates the config; throws one `ConfigError` listing every bad variable. */
export function loadConfig(env: Env): ConsumerConfig {
  const read = createEnvReader(env);
  const config: ConsumerConfig = {
    ...readServiceConfig(read, { service: "consumer", port: 8086 }),
    amqp: readAmqpConfig(read),
    prefetch: read.int("PREFETCH", 10, { min: 1, max: 10_000 }),
    maxRetries: read.int("MAX_RETRIES", 1, { min: 0, max: 100 }),
    failureRate: read.number("FAILURE_RATE", 0, { min: 0, max: 1 }),
    work: Object.freeze({
      high: readRange(read, "WORK_HIGH_MS", { min: 100, max: 300 }),
      normal: readRange(read, "WORK_NORMAL_MS", { min: 200, max: 500 }),
      low: readRange(read, "WORK_LOW_MS", { min: 500, max: 1500 }),
    }),
  };
  read.assertValid();
  return Object.freeze(config);
}

/** `MIN-MAX` or a single number of milliseconds; `0` turns the simulated work off. */
function readRange(read: EnvReader, name: string, fallback: WorkRange): WorkRange {
  const value = read.raw(name);
  if (value === undefined) return fallback;
  const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(value);
  const min = Number(match?.[1]);
  const max = match?.[2] === undefined ? min : Number(match[2]);
  if (match === null || max < min || max > 600_000) {
    read.problem(name, value, "milliseconds as MIN-MAX (e.g. 100-300) or one number; 0 for none");
    return fallback;
  }
  return Object.freeze({ min, max });
}
