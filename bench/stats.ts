/** Small statistics for benchmark samples: percentiles, median/min/max, bucket interpolation. */

/** The `p`-th percentile (0 to 100) of `values`, by linear interpolation; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low]!;
  return lowValue + (sorted[high]! - lowValue) * (rank - low);
}

/** Median, min and max of repeated measurements. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median, min and max of `values` (NaN for each when empty). */
export function spread(values: readonly number[]): Spread {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return {
    median: percentile(finite, 50),
    min: Math.min(...finite),
    max: Math.max(...finite),
  };
}

/** Cumulative Prometheus-style buckets: `le` upper bounds and counts at or below each. */
export interface CumulativeBuckets {
  le: number[];
  counts: number[];
}

/**
 * The `p`-th percentile from cumulative histogram buckets, interpolating linearly inside the
 * bucket that holds the rank (as Prometheus' `histogram_quantile` does); NaN when empty.
 */
export function bucketPercentile(buckets: CumulativeBuckets, p: number): number {
  const total = buckets.counts.at(-1) ?? 0;
  if (total === 0) return Number.NaN;
  const rank = (p / 100) * total;
  for (let i = 0; i < buckets.le.length; i++) {
    const count = buckets.counts[i]!;
    if (count < rank) continue;
    const upper = buckets.le[i]!;
    const lower = i === 0 ? 0 : buckets.le[i - 1]!;
    const below = i === 0 ? 0 : buckets.counts[i - 1]!;
    if (!Number.isFinite(upper)) return lower;
    const inBucket = count - below;
    return inBucket === 0 ? upper : lower + (upper - lower) * ((rank - below) / inBucket);
  }
  return buckets.le.at(-2) ?? Number.NaN;
}

/** `after - before`, bucket by bucket (both must have the same bounds). */
export function bucketDelta(
  after: CumulativeBuckets,
  before: CumulativeBuckets,
): CumulativeBuckets {
  return {
    le: after.le,
    counts: after.counts.map((count, i) => count - (before.counts[i] ?? 0)),
  };
}

/** Rounds for display: 3 significant digits below 100, whole numbers above. */
export function roundForDisplay(value: number): string {
  if (!Number.isFinite(value)) return "-";
  if (Math.abs(value) >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}
