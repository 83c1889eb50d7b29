/**
 * Processing one message: decode it against the producer's contract, then simulate work whose
 * length depends on its priority, slowed and failed on purpose by the consumer's faults.
 */
import type { ConsumedMessage } from "../lib/amqp/message.ts";
import { PermanentMessageError } from "../lib/amqp/consume.ts";
import type { FaultRegistry } from "../lib/faults/registry.ts";
import { delayMark, markActiveSpan } from "../lib/faults/span_marks.ts";
import { PROCESSING_ERRORS, SLOW_CONSUMER } from "./faults.ts";
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
  /** `processing_errors` fails a share of attempts; `slow_consumer` adds a delay to each. */
  faults: FaultRegistry;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Processes a message; resolves with its priority, throws to fail it. */
export type Work = (message: ConsumedMessage) => Promise<Priority>;

/** Raised on purpose for the share of attempts `processing_errors` (or FAILURE_RATE) asks for. */
export class SimulatedFailureError extends Error {
  constructor(rate: number) {
    super(`Simulated processing failure (fault ${PROCESSING_ERRORS}, rate ${rate})`);
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
    const slow = options.faults.delay(SLOW_CONSUMER);
    if (slow !== undefined) {
      markActiveSpan(delayMark(SLOW_CONSUMER, slow));
      await sleep(slow.ms);
    }
    const failure = options.faults.hits(PROCESSING_ERRORS);
    if (failure !== undefined) {
      markActiveSpan({ name: PROCESSING_ERRORS, parameters: { rate: failure.rate } });
      throw new SimulatedFailureError(failure.rate);
    }
    return priority;
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
