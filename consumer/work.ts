/**
 * Processing one message: decode it against the producer's contract, then simulate work whose
 * length depends on its priority, failing on purpose at the configured rate.
 */
import type { ConsumedMessage } from "../lib/amqp/message.ts";
import { PermanentMessageError } from "../lib/amqp/consume.ts";
import {
  decodeMessage,
  InvalidMessageError,
  type Priority,
  priorityOf,
} from "../producer/message.ts";

/** Simulated work in milliseconds, drawn uniformly from `[min, max]`. */
export interface WorkRange {
  readonly min: number;
  readonly max: number;
}

/** What `createWork` needs; `random` and `sleep` are replaceable in tests. */
export interface WorkOptions {
  work: Readonly<Record<Priority, WorkRange>>;
  failureRate: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Processes a message; resolves with its priority, throws to fail it. */
export type Work = (message: ConsumedMessage) => Promise<Priority>;

/** Raised on purpose for a share `FAILURE_RATE` of attempts. */
export class SimulatedFailureError extends Error {
  constructor() {
    super("Simulated processing failure");
    this.name = "SimulatedFailureError";
  }
}

/** The priority of a message: its body's, else the AMQP priority's level. */
export function messagePriority(message: ConsumedMessage): Priority {
  try {
    return decodeMessage(message.body).priority ?? priorityOf(message.priority);
  } catch {
    return priorityOf(message.priority);
  }
}

/** Creates the work function. */
export function createWork(options: WorkOptions): Work {
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? delay;
  return async (message) => {
    let priority: Priority;
    try {
      const decoded = decodeMessage(message.body);
      priority = decoded.priority ?? priorityOf(message.priority);
    } catch (error) {
      // Retrying cannot fix a body that is not a message: dead-letter it at once.
      if (error instanceof InvalidMessageError) {
        throw new PermanentMessageError(error.message, { cause: error });
      }
      throw error;
    }
    const range = options.work[priority];
    const ms = range.min + random() * (range.max - range.min);
    if (ms > 0) await sleep(Math.round(ms));
    if (options.failureRate > 0 && random() < options.failureRate) {
      throw new SimulatedFailureError();
    }
    return priority;
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
