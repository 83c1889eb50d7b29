/**
 * Settling a delivery that failed: retry it by republishing a copy with `x-retry-count` + 1, or
 * dead-letter it to `<queue>.dead` with the reason in its headers. The original is acknowledged
 * only once the copy was confirmed; if the copy cannot be published, the original goes back to
 * the queue (nack with requeue), so no message is lost.
 */
import type { Span } from "@opentelemetry/api";
import { trace } from "@opentelemetry/api";
import type { Channel, ConsumeMessage } from "amqplib";
import {
  type ConsumedMessage,
  FAILURE_REASON_HEADER,
  ORIGINAL_QUEUE_HEADER,
  RETRY_COUNT_HEADER,
} from "./message.ts";
import type { AmqpPublisher } from "./publish.ts";
import { deadLetterName } from "./topology.ts";
import type { Logger } from "../log.ts";

/** A delivery and whether it was acknowledged or returned yet. */
export interface Settlement {
  channel: Channel;
  raw: ConsumeMessage;
  message: ConsumedMessage;
  settled: boolean;
}

/** What `failMessage` needs. */
export interface FailOptions {
  publisher: AmqpPublisher;
  queue: string;
  maxRetries: number;
  /** Skip the retries: the message can never succeed (e.g. its body is not valid JSON). */
  permanent: boolean;
  logger: Logger;
}

const MAX_REASON_LENGTH = 500;

/**
 * Retries or dead-letters a failed delivery; runs in the CONSUMER span's context, so the
 * republish is that span's child. Returns the outcome, `requeued` when the copy failed.
 */
export async function failMessage(
  delivery: Settlement,
  error: Error,
  options: FailOptions,
): Promise<"retried" | "dead_lettered" | "requeued"> {
  const { message } = delivery;
  const span = trace.getActiveSpan();
  const reason = `${error.name}: ${error.message}`.slice(0, MAX_REASON_LENGTH);
  const retry = !options.permanent && message.retryCount < options.maxRetries;
  const copy = {
    body: message.body,
    messageId: message.messageId,
    priority: message.priority,
    contentType: message.contentType,
  };
  try {
    if (retry) {
      const retryCount = message.retryCount + 1;
      await options.publisher.publish({
        ...copy,
        headers: {
          ...message.headers,
          [RETRY_COUNT_HEADER]: retryCount,
          [FAILURE_REASON_HEADER]: reason,
        },
      });
      span?.addEvent("message.retry_scheduled", {
        "messaging.rabbitmq.retry_count": retryCount,
        "messaging.rabbitmq.failure_reason": reason,
      });
      options.logger.warn("Message failed; retry scheduled", {
        message_id: message.messageId,
        retry_count: retryCount,
        max_retries: options.maxRetries,
        reason,
      });
    } else {
      const deadLetter = deadLetterName(options.queue);
      await options.publisher.publish({
        ...copy,
        exchange: deadLetter,
        routingKey: options.queue,
        headers: {
          ...message.headers,
          [RETRY_COUNT_HEADER]: message.retryCount,
          [FAILURE_REASON_HEADER]: reason,
          [ORIGINAL_QUEUE_HEADER]: options.queue,
        },
      });
      span?.addEvent("message.dead_lettered", {
        "messaging.rabbitmq.retry_count": message.retryCount,
        "messaging.rabbitmq.failure_reason": reason,
        "messaging.rabbitmq.dead_letter_exchange": deadLetter,
      });
      // A dead letter needs a person: nothing retries it any more.
      options.logger.error("Message failed; dead-lettered", {
        message_id: message.messageId,
        retry_count: message.retryCount,
        dead_letter_exchange: deadLetter,
        reason,
      });
    }
  } catch (publishError) {
    options.logger.warn("Could not retry or dead-letter a message; returning it to the queue", {
      message_id: message.messageId,
      error: publishError,
    });
    if (span !== undefined) addRequeueEvent(span, "retry or dead-letter publish failed");
    return "requeued";
  }
  acknowledge(delivery, options.logger);
  return retry ? "retried" : "dead_lettered";
}

/** Acknowledges once; a closed channel means the broker redelivers it, which is safe. */
export function acknowledge(delivery: Settlement, logger: Logger): void {
  if (delivery.settled) return;
  delivery.settled = true;
  try {
    delivery.channel.ack(delivery.raw);
  } catch (error) {
    logger.debug("Ack failed; the broker will redeliver the message", { error });
  }
}

/** Returns the message to the queue once (nack with requeue). */
export function requeue(delivery: Settlement, logger: Logger): void {
  if (delivery.settled) return;
  delivery.settled = true;
  try {
    delivery.channel.nack(delivery.raw, false, true);
  } catch (error) {
    logger.debug("Nack failed; the broker will redeliver the message", { error });
  }
}

function addRequeueEvent(span: Span, reason: string): void {
  span.addEvent("message.requeued", { "messaging.rabbitmq.failure_reason": reason });
}
