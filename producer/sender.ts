/** Sending one message: build it, publish it, wait for the confirm, count it. */
import { Counter, Histogram, type Registry } from "prom-client";
import { type Published, PublishError, type PublishRequest } from "../lib/amqp/publish.ts";
import { LATENCY_BUCKETS } from "../lib/http/metrics.ts";
import {
  AMQP_PRIORITY,
  createMessage,
  encodeMessage,
  type Message,
  MESSAGE_CONTENT_TYPE,
  type Priority,
} from "./message.ts";

/** What the producer needs of a publisher (`AmqpPublisher` in production, a fake in tests). */
export interface MessagePublisher {
  readonly ready: boolean;
  publish(request: PublishRequest): Promise<Published>;
}

/** A confirmed message and the trace of its publish. */
export interface SentMessage {
  message: Message;
  traceId: string;
}

/** Sends one message; rejects with `PublishError` when the broker did not confirm it. */
export type Sender = (
  content: string,
  priority: Priority,
  options?: { newTrace?: boolean },
) => Promise<SentMessage>;

/** Creates the sender and registers its metrics on `registry`. */
export function createSender(publisher: MessagePublisher, registry: Registry): Sender {
  const sent = new Counter({
    name: "messages_sent_total",
    help: "Messages sent, by priority and result: confirmed, unavailable, nacked, timeout",
    labelNames: ["priority", "result"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "message_publish_duration_seconds",
    help: "Time from publish to the broker's confirm, by priority",
    labelNames: ["priority"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const confirmFailures = new Counter({
    name: "message_confirm_failures_total",
    help: "Published messages the broker did not confirm, by reason: nacked, timeout",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  return async (content, priority, options = {}) => {
    const message = createMessage(content, priority);
    const started = performance.now();
    try {
      const published = await publisher.publish({
        body: encodeMessage(message),
        messageId: message.id,
        priority: AMQP_PRIORITY[priority],
        contentType: MESSAGE_CONTENT_TYPE,
        newTrace: options.newTrace,
      });
      sent.inc({ priority, result: "confirmed" });
      duration.observe({ priority }, (performance.now() - started) / 1000);
      return { message, traceId: published.traceId };
    } catch (error) {
      const reason = error instanceof PublishError ? error.reason : "unavailable";
      sent.inc({ priority, result: reason });
      if (reason !== "unavailable") confirmFailures.inc({ reason });
      throw error;
    }
  };
}
