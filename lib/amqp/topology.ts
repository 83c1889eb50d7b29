/**
 * The queues and exchanges of one work queue: a durable priority queue reached from the default
 * exchange by its name, and a dead-letter exchange and queue both named `<queue>.dead`.
 */
import type { Channel } from "amqplib";

/** The highest message priority the queue honours; higher values count as this one. */
export const MAX_PRIORITY = 10;

/** The dead-letter exchange and queue of `queue`. */
export function deadLetterName(queue: string): string {
  return `${queue}.dead`;
}

/** The arguments of the work queue; every declarer must pass the same ones. */
export function workQueueArguments(queue: string): Record<string, unknown> {
  return { "x-max-priority": MAX_PRIORITY, "x-dead-letter-exchange": deadLetterName(queue) };
}

/** Declares the work queue and its dead-letter exchange and queue; idempotent. */
export async function declareTopology(channel: Channel, queue: string): Promise<void> {
  const dead = deadLetterName(queue);
  await channel.assertExchange(dead, "fanout", { durable: true });
  await channel.assertQueue(dead, { durable: true });
  await channel.bindQueue(dead, dead, "");
  await channel.assertQueue(queue, { durable: true, arguments: workQueueArguments(queue) });
}

/** Deletes what `declareTopology` made; for tests that use throwaway queue names. */
export async function deleteTopology(channel: Channel, queue: string): Promise<void> {
  const dead = deadLetterName(queue);
  await channel.deleteQueue(queue);
  await channel.deleteQueue(dead);
  await channel.deleteExchange(dead);
}
