/**
 * The spans of one alert target (a service, or one operation of it) over every window its rules
 * use, from one scan: the windows' starts cut the longest window into segments, each span is
 * counted in the one segment it starts in, and a window's histogram is the sum of the segments
 * from its start on. Rules that share a target cost one scan however many they are.
 */
import { LatencyHistogram } from "./latency_histogram.ts";

/** Aggregates of one target for a set of windows ending at `nowMs`. */
export class TargetWindows {
  /** Segment starts in µs, ascending (the longest window first). */
  readonly #startsUs: number[];
  readonly #windowsMs: number[];
  readonly #segments: LatencyHistogram[];
  #totals: Map<number, LatencyHistogram> | undefined;

  constructor(windowsMs: Iterable<number>, nowMs: number) {
    this.#windowsMs = [...new Set(windowsMs)].sort((a, b) => b - a);
    this.#startsUs = this.#windowsMs.map((windowMs) => (nowMs - windowMs) * 1000);
    this.#segments = this.#windowsMs.map(() => new LatencyHistogram());
  }

  /** Where the longest window starts, in µs: spans before it count nowhere. */
  get sinceUs(): number {
    return this.#startsUs[0] ?? Infinity;
  }

  /** Counts a span that started at `startUs`. */
  add(startUs: number, durationUs: number, error: boolean): void {
    // The last segment whose start is at or before the span's.
    let lo = 0;
    let hi = this.#startsUs.length - 1;
    if (hi < 0 || startUs < this.#startsUs[0]!) return;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.#startsUs[mid]! <= startUs) lo = mid;
      else hi = mid - 1;
    }
    this.#segments[lo]!.add(durationUs, error);
  }

  /** Everything counted in the window of `windowMs` (one of the constructor's). */
  window(windowMs: number): LatencyHistogram {
    if (this.#totals === undefined) {
      // From the newest segment back, each window's total is its segment plus the shorter ones.
      this.#totals = new Map();
      const running = new LatencyHistogram();
      for (let i = this.#segments.length - 1; i >= 0; i--) {
        running.addAll(this.#segments[i]!);
        this.#totals.set(this.#windowsMs[i]!, running.clone());
      }
    }
    return this.#totals.get(windowMs) ?? new LatencyHistogram();
  }
}
