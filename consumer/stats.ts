/**
 * Counters behind GET /stats, with the processing rate over a sliding window. Delivery is
 * at-least-once, so a message can be processed twice (its ack was lost with a connection):
 * `processed_messages` counts unique message ids, `duplicate_messages` the processed
 * deliveries of an id already counted, `redelivered_messages` the deliveries the broker flagged
 * as redelivered (whatever their outcome).
 */
import type { SettledMessage } from "../lib/amqp/consume.ts";

/** The body of GET /stats. */
export interface StatsView {
  /** Unique message ids processed (a message without an id counts on each processing). */
  processed_messages: number;
  /** Processed deliveries of a message id already counted in `processed_messages`. */
  duplicate_messages: number;
  /** Deliveries the broker flagged as redelivered. */
  redelivered_messages: number;
  error_messages: number;
  retried_messages: number;
  dead_lettered_messages: number;
  uptime_seconds: number;
  processing_rate_per_second: number;
  in_flight: number;
}

const WINDOW_SECONDS = 10;

/** How many processed message ids are remembered to tell duplicates; the oldest go first. */
export const DEDUP_WINDOW = 100_000;

/** Running totals of one consumer process. */
export class ConsumerStats {
  #processed = 0;
  #duplicates = 0;
  #redelivered = 0;
  /** Processed message ids, oldest first. */
  readonly #seen = new Set<string>();
  #errors = 0;
  #retried = 0;
  #deadLettered = 0;
  readonly #started: number;
  readonly #now: () => number;
  /** Processed counts per whole second, for the rate window. */
  readonly #buckets = new Map<number, number>();

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
    this.#started = now();
  }

  /** Counts one settled delivery. */
  record(settled: SettledMessage): void {
    if (settled.message.redelivered) this.#redelivered += 1;
    if (settled.error !== undefined) this.#errors += 1;
    if (settled.outcome === "retried") this.#retried += 1;
    if (settled.outcome === "dead_lettered") this.#deadLettered += 1;
    if (settled.outcome !== "processed") return;
    if (this.#isDuplicate(settled.message.messageId)) this.#duplicates += 1;
    else this.#processed += 1;
    // The rate counts every processed delivery: it measures work done, duplicates included.
    const second = Math.floor(this.#now() / 1000);
    this.#buckets.set(second, (this.#buckets.get(second) ?? 0) + 1);
    for (const key of this.#buckets.keys()) {
      if (key <= second - WINDOW_SECONDS) this.#buckets.delete(key);
    }
  }

  #isDuplicate(messageId: string | undefined): boolean {
    if (messageId === undefined) return false;
    if (this.#seen.has(messageId)) return true;
    this.#seen.add(messageId);
    if (this.#seen.size > DEDUP_WINDOW) {
      this.#seen.delete(this.#seen.values().next().value!);
    }
    return false;
  }

  /** The current totals; `inFlight` comes from the consumer. */
  view(inFlight: number): StatsView {
    const now = this.#now();
    const uptime = (now - this.#started) / 1000;
    const second = Math.floor(now / 1000);
    let recent = 0;
    for (const [key, count] of this.#buckets) {
      if (key > second - WINDOW_SECONDS) recent += count;
    }
    const window = Math.min(WINDOW_SECONDS, Math.max(uptime, 1));
    return {
      processed_messages: this.#processed,
      duplicate_messages: this.#duplicates,
      redelivered_messages: this.#redelivered,
      error_messages: this.#errors,
      retried_messages: this.#retried,
      dead_lettered_messages: this.#deadLettered,
      uptime_seconds: Math.round(uptime),
      processing_rate_per_second: Math.round((recent / window) * 100) / 100,
      in_flight: inFlight,
    };
  }
}
