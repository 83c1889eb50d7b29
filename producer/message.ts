/**
 * The message contract between producer and consumer: the JSON body on the queue and how its
 * priority maps to AMQP priorities. This is the one producer file other services may import.
 */
import { z } from "zod";
import { issueList, issueMessage } from "../lib/http/issue_message.ts";

/** Message priorities, from most to least urgent. */
export const PRIORITIES = ["high", "normal", "low"] as const;

/** One of `PRIORITIES`. */
export type Priority = typeof PRIORITIES[number];

/** AMQP priority per level; the queue's `x-max-priority` is 10. */
export const AMQP_PRIORITY: Readonly<Record<Priority, number>> = { high: 9, normal: 5, low: 1 };

/** The content type of every message body. */
export const MESSAGE_CONTENT_TYPE = "application/json";

/** The JSON body of a message on the queue. */
export interface Message {
  id: string;
  content: string;
  priority: Priority;
  /** ISO 8601 time the producer accepted it. */
  created_at: string;
}

/** Validates a decoded body; `id` and `priority` may be missing in messages of other clients. */
export const messageSchema = z.object({
  id: z.string().min(1).optional(),
  content: z.string(),
  priority: z.enum(PRIORITIES).optional(),
  created_at: z.string().optional(),
});

/** The level of an AMQP priority, for messages whose body names none. */
export function priorityOf(amqpPriority: number): Priority {
  if (amqpPriority >= 7) return "high";
  if (amqpPriority >= 4) return "normal";
  return "low";
}

/** A new message with a fresh id. */
export function createMessage(content: string, priority: Priority): Message {
  return { id: crypto.randomUUID(), content, priority, created_at: new Date().toISOString() };
}

/** The bytes to publish. */
export function encodeMessage(message: Message): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(message));
}

/** Why a body is not a message: not UTF-8 JSON, or not the contract's shape. */
export class InvalidMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InvalidMessageError";
  }
}

/** Decodes a body; throws `InvalidMessageError` for anything but a valid message. */
export function decodeMessage(body: Uint8Array): z.output<typeof messageSchema> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch (error) {
    throw new InvalidMessageError(`Body is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const result = messageSchema.safeParse(value, { error: issueMessage });
  if (!result.success) {
    throw new InvalidMessageError(`Invalid message: ${issueList(result.error.issues)}`);
  }
  return result.data;
}
