/** RabbitMQ settings every messaging service reads, under the same variable names everywhere. */
import type { EnvReader } from "../config/env_reader.ts";

/** Default broker URL: the local RabbitMQ with its default account. */
export const DEFAULT_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672";

/** The default cap on the reconnect delay: back within a second of the broker's return. */
export const DEFAULT_RECONNECT_MAX_MS = 1000;

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

/** Reads the AMQP settings through `read`; problems are collected by the reader. */
export function readAmqpConfig(read: EnvReader): AmqpConfig {
  const url = read.url("RABBITMQ_URL", DEFAULT_RABBITMQ_URL, ["amqp:", "amqps:"]);
  const queue = read.string("QUEUE_NAME", "messages");
  if (!/^[\w.:-]{1,200}$/.test(queue)) {
    read.problem("QUEUE_NAME", queue, "1 to 200 letters, digits, '_', '.', ':' or '-'");
  }
  const reconnectInitialMs = read.int("AMQP_RECONNECT_INITIAL_MS", 500, { min: 10, max: 60_000 });
  const reconnectMaxMs = read.int(
    "AMQP_RECONNECT_MAX_MS",
    Math.max(DEFAULT_RECONNECT_MAX_MS, reconnectInitialMs),
    { min: 10, max: 600_000 },
  );
  if (reconnectMaxMs < reconnectInitialMs) {
    read.problem(
      "AMQP_RECONNECT_MAX_MS",
      String(reconnectMaxMs),
      `at least AMQP_RECONNECT_INITIAL_MS (${reconnectInitialMs})`,
    );
  }
  return Object.freeze({
    url,
    queue,
    reconnectInitialMs,
    reconnectMaxMs,
    publishTimeoutMs: read.int("PUBLISH_TIMEOUT_MS", 5000, { min: 1, max: 600_000 }),
    traceContext: read.oneOf("AMQP_TRACE_CONTEXT", TRACE_CONTEXT_MODES, "parent"),
  });
}
