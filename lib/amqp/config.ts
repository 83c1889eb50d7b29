/** RabbitMQ settings every messaging service reads, under the same variable names everywhere. */
import type { EnvReader } from "../config/env_reader.ts";
import { int, matching, oneOf, url } from "../config/parsers.ts";
import { declareVariables } from "../config/variables.ts";

/** Default broker URL: the local RabbitMQ with its default account. */
export const DEFAULT_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672";

/** How the CONSUMER span relates to the context found in a message's headers. */
export const TRACE_CONTEXT_MODES = ["parent", "link"] as const;

/** One of `TRACE_CONTEXT_MODES`. */
export type TraceContextMode = typeof TRACE_CONTEXT_MODES[number];

/** The AMQP part of a messaging service's config. */
export interface AmqpConfig {
  /** RABBITMQ_URL; holds credentials, so log it only through `redactUrl`. */
  readonly url: string;
  /** QUEUE_NAME: the work queue; its dead-letter exchange and queue are `<queue>.dead`. */
  readonly queue: string;
  /** AMQP_RECONNECT_INITIAL_MS: the first reconnect delay, doubled per failed attempt. */
  readonly reconnectInitialMs: number;
  /**
   * AMQP_RECONNECT_MAX_MS: the longest reconnect delay, so also how long after the broker is back
   * a service may still wait for it. 1 s by default: an attempt at a broker that is down costs a
   * refused connection, while a longer cap keeps the service down after the broker returns.
   */
  readonly reconnectMaxMs: number;
  /** PUBLISH_TIMEOUT_MS: how long a publish waits for the broker's confirm. */
  readonly publishTimeoutMs: number;
  /** AMQP_TRACE_CONTEXT: `parent` (default) or `link` for the CONSUMER span. */
  readonly traceContext: TraceContextMode;
}

/** The RabbitMQ variables every messaging service reads. */
export const AMQP_VARIABLES = declareVariables("RabbitMQ", {
  RABBITMQ_URL: {
    parse: url(["amqp:", "amqps:"]),
    default: DEFAULT_RABBITMQ_URL,
    secret: true,
    meaning: "broker URL (`amqp` or `amqps`); the password is never logged",
  },
  QUEUE_NAME: {
    parse: matching(/^[\w.:-]{1,200}$/, "1 to 200 letters, digits, '_', '.', ':' or '-'"),
    default: "messages",
    meaning: "the work queue; its dead-letter exchange and queue are `<queue>.dead`",
  },
  AMQP_RECONNECT_INITIAL_MS: {
    parse: int({ min: 10, max: 60_000 }),
    default: "500",
    meaning: "first reconnect delay, doubled per attempt (±20% jitter)",
  },
  AMQP_RECONNECT_MAX_MS: {
    parse: int({ min: 10, max: 600_000 }),
    default: "1000",
    meaning: "longest reconnect delay, so a service retries within 1 s of the broker's return " +
      "(was 15000); when unset, at least `AMQP_RECONNECT_INITIAL_MS`",
  },
  PUBLISH_TIMEOUT_MS: {
    parse: int({ min: 1, max: 600_000 }),
    default: "5000",
    meaning: "how long a publish waits for the broker's confirm",
  },
  AMQP_TRACE_CONTEXT: {
    parse: oneOf(TRACE_CONTEXT_MODES),
    default: "parent",
    meaning: "`parent`: the CONSUMER span is a child of the PRODUCER span; `link`: it starts a " +
      "new trace with a span link to the producer (the messaging conventions' choice for batch " +
      "and fan-in); baggage travels either way",
  },
});

/** Reads the AMQP settings through `read`; problems are collected by the reader. */
export function readAmqpConfig(read: EnvReader): AmqpConfig {
  const v = AMQP_VARIABLES;
  const reconnectInitialMs = read.value(v.AMQP_RECONNECT_INITIAL_MS);
  // Unset, the cap follows a first delay set above it rather than failing the rule below.
  const reconnectMaxMs = read.raw(v.AMQP_RECONNECT_MAX_MS.name) === undefined
    ? Math.max(read.value(v.AMQP_RECONNECT_MAX_MS), reconnectInitialMs)
    : read.value(v.AMQP_RECONNECT_MAX_MS);
  if (reconnectMaxMs < reconnectInitialMs) {
    read.problem(
      v.AMQP_RECONNECT_MAX_MS,
      String(reconnectMaxMs),
      `at least AMQP_RECONNECT_INITIAL_MS (${reconnectInitialMs})`,
    );
  }
  return Object.freeze({
    url: read.value(v.RABBITMQ_URL),
    queue: read.value(v.QUEUE_NAME),
    reconnectInitialMs,
    reconnectMaxMs,
    publishTimeoutMs: read.value(v.PUBLISH_TIMEOUT_MS),
    traceContext: read.value(v.AMQP_TRACE_CONTEXT),
  });
}
