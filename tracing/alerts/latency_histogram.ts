/**
 * Span durations counted in log-spaced buckets (DDSketch's mapping with a relative accuracy of
 * 1%): a quantile read from it is within 1% of the exact nearest-rank value, and it is clamped to
 * the smallest and largest duration counted, so a single sample reads back exactly. Alerts keep
 * one per window segment, so evaluating a rule costs buckets, not spans.
 */
import { nearestRankIndex } from "../query/trace_view.ts";

/** A quantile is within this fraction of the exact value. */
export const RELATIVE_ACCURACY = 0.01;

const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Bucket 0 counts durations under 1 µs; bucket `i` counts `[GAMMA^(i-1), GAMMA^i)` µs. */
const BUCKETS = 2 + Math.ceil(Math.log(Number.MAX_SAFE_INTEGER) / LOG_GAMMA);

/** Durations (µs) and error flags of spans, bucketed. */
export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  count = 0;
  errors = 0;
  min = Infinity;
  max = -Infinity;

  /** Counts one span. */
  add(durationUs: number, error: boolean): void {
    const bucket = durationUs < 1
      ? 0
      : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(durationUs) / LOG_GAMMA));
    this.#counts[bucket]!++;
    this.count++;
    if (error) this.errors++;
    if (durationUs < this.min) this.min = durationUs;
    if (durationUs > this.max) this.max = durationUs;
  }

  /** Adds every count of `other` to this one. */
  addAll(other: LatencyHistogram): void {
    if (other.count === 0) return;
    const counts = other.#counts;
    for (let i = 0; i < BUCKETS; i++) this.#counts[i]! += counts[i]!;
    this.count += other.count;
    this.errors += other.errors;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /** A copy that later additions to this one do not change. */
  clone(): LatencyHistogram {
    const copy = new LatencyHistogram();
    copy.addAll(this);
    return copy;
  }

  /** The nearest-rank `q` quantile in µs, within `RELATIVE_ACCURACY`; `null` when empty. */
  quantileUs(q: number): number | null {
    if (this.count === 0) return null;
    const rank = nearestRankIndex(this.count, q);
    let seen = 0;
    let bucket = 0;
    for (; bucket < BUCKETS - 1; bucket++) {
      seen += this.#counts[bucket]!;
      if (seen > rank) break;
    }
    const middle = bucket === 0 ? 0 : 2 * GAMMA ** bucket / (GAMMA + 1);
    return Math.min(this.max, Math.max(this.min, middle));
  }
}
