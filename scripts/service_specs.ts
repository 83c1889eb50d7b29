/** Every service's spec and config loader, for the tools and tests that look at all of them. */
import type { Env } from "../lib/config/env_reader.ts";
import type { ServiceSpec } from "../lib/config/service_config.ts";
import { CONSUMER_SPEC, loadConfig as consumerConfig } from "../consumer/config.ts";
import { loadConfig as orderConfig, ORDER_SPEC } from "../order/config.ts";
import { loadConfig as producerConfig, PRODUCER_SPEC } from "../producer/config.ts";
import { loadConfig as tracingConfig, TRACING_SPEC } from "../tracing/config.ts";
import { loadConfig as userConfig, USER_SPEC } from "../user/config.ts";

/** The services of this repository. */
export type ServiceName = "user" | "order" | "producer" | "consumer" | "tracing";

/** Every service's spec (`--help`, the docs' variable tables), by name, in the docs' order. */
export const SERVICE_SPECS: Readonly<Record<ServiceName, ServiceSpec>> = {
  user: USER_SPEC,
  order: ORDER_SPEC,
  producer: PRODUCER_SPEC,
  consumer: CONSUMER_SPEC,
  tracing: TRACING_SPEC,
};

/** Every service's `loadConfig`, by name. */
export const CONFIG_LOADERS: Readonly<Record<ServiceName, (env: Env) => unknown>> = {
  user: userConfig,
  order: orderConfig,
  producer: producerConfig,
  consumer: consumerConfig,
  tracing: tracingConfig,
};
