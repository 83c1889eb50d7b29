/**
 * What a consumer sees of a delivery, the headers this project adds to messages, and the
 * messaging semantic-convention attributes shared by publish and consume spans.
 */
import type { Attributes } from "@opentelemetry/api";
import type { ConsumeMessage } from "amqplib";

/** How many times the message was already retried after a failure; survives restarts. */
export const RETRY_COUNT_HEADER = "x-retry-count";
/** Why the last attempt failed; set on retried and dead-lettered messages. */
export const FAILURE_REASON_HEADER = "x-failure-reason";
/** Publish time in epoch milliseconds (the AMQP `timestamp` property has whole seconds only). */
export const PUBLISHED_AT_HEADER = "x-published-at";
/** The queue a dead-lettered message came from. */
export const ORIGINAL_QUEUE_HEADER = "x-original-queue";
/** Headers that carry trace context; replaced, never copied, when a message is republished. */
export const CONTEXT_HEADERS = ["traceparent", "tracestate", "baggage"] as const;

/** A delivery as handlers see it. */
export interface ConsumedMessage {
  readonly body: Uint8Array;
  readonly messageId: string | undefined;
  readonly contentType: string | undefined;
  /** The AMQP priority, 0 when none was set. */
  readonly priority: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly routingKey: string;
  readonly deliveryTag: number;
  /** True when the broker delivered it before and it was not acknowledged. */
  readonly redelivered: boolean;
  /** From `x-retry-count`; 0 for a first attempt. */
  readonly retryCount: number;
  /** From `x-published-at`, else the AMQP timestamp; `undefined` when neither is usable. */
  readonly publishedAtMs: number | undefined;
}

/** Converts amqplib's delivery into a `ConsumedMessage`; never throws on odd headers. */
export function toConsumedMessage(delivery: ConsumeMessage): ConsumedMessage {
  const { properties, fields } = delivery;
  const headers: Record<string, unknown> = { ...(properties.headers ?? {}) };
  const timestamp = headerNumber(properties.timestamp);
  const retryCount = headerNumber(headers[RETRY_COUNT_HEADER]);
  return {
    body: delivery.content,
    messageId: typeof properties.messageId === "string" ? properties.messageId : undefined,
    contentType: typeof properties.contentType === "string" ? properties.contentType : undefined,
    priority: headerNumber(properties.priority) ?? 0,
    headers,
    routingKey: fields.routingKey,
    deliveryTag: fields.deliveryTag,
    redelivered: fields.redelivered,
    retryCount: retryCount !== undefined && retryCount >= 0 ? Math.floor(retryCount) : 0,
    publishedAtMs: headerNumber(headers[PUBLISHED_AT_HEADER]) ??
      (timestamp === undefined ? undefined : timestamp * 1000),
  };
}

/** A numeric header value, whether it arrived as a number, bigint, string or bytes. */
export function headerNumber(value: unknown): number | undefined {
  let result: number | undefined;
  if (typeof value === "number") result = value;
  else if (typeof value === "bigint") result = Number(value);
  else if (typeof value === "string" && value.trim() !== "") result = Number(value);
  else if (value instanceof Uint8Array) result = headerNumber(new TextDecoder().decode(value));
  return result !== undefined && Number.isFinite(result) ? result : undefined;
}

/** `headers` without the trace-context entries, for republishing under a new context. */
export function withoutContext(
  headers: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  const skip = new Set<string>(CONTEXT_HEADERS);
  for (const [name, value] of Object.entries(headers)) {
    if (!skip.has(name.toLowerCase())) copy[name] = value;
  }
  return copy;
}

/** `server.address` and `server.port` of the broker, from its URL. */
export function brokerAttributes(url: string): Record<string, string | number> {
  if (!URL.canParse(url)) return {};
  const parsed = new URL(url);
  const port = parsed.port === "" ? (parsed.protocol === "amqps:" ? 5671 : 5672) : parsed.port;
  return { "server.address": parsed.hostname, "server.port": Number(port) };
}

/** The attributes every messaging span of this project carries. */
export function messagingAttributes(options: {
  operation: "send" | "process";
  destination: string;
  routingKey: string;
  messageId: string | undefined;
  bodySize: number;
}): Attributes {
  const attributes: Attributes = {
    "messaging.system": "rabbitmq",
    "messaging.operation.type": options.operation,
    "messaging.operation.name": options.operation,
    "messaging.destination.name": options.destination,
    "messaging.rabbitmq.destination.routing_key": options.routingKey,
    "messaging.message.body.size": options.bodySize,
  };
  if (options.messageId !== undefined) attributes["messaging.message.id"] = options.messageId;
  return attributes;
}
