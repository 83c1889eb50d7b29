import assert from "node:assert/strict";
import { nearestRank } from "../query/trace_view.ts";
import { LatencyHistogram, RELATIVE_ACCURACY } from "./latency_histogram.ts";

Deno.test("LatencyHistogram.quantileUs() is within 1% of the exact nearest rank", () => {
  // A fixed pseudo-random spread from 0 µs to about 100 s, log-uniform.
  let seed = 42;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const durations = Array.from({ length: 5000 }, () => Math.floor(Math.exp(random() * 18.4)));
  const histogram = new LatencyHistogram();
  for (const d of durations) histogram.add(d, d % 7 === 0);
  const sorted = [...durations].sort((a, b) => a - b);
  for (const q of [0.01, 0.5, 0.9, 0.95, 0.99, 1]) {
    const exact = nearestRank(sorted, q);
    const estimate = histogram.quantileUs(q)!;
    assert.ok(
      Math.abs(estimate - exact) <= exact * RELATIVE_ACCURACY + 1e-9,
      `q=${q}: ${estimate} vs exact ${exact}`,
    );
  }
  assert.equal(histogram.count, 5000);
  assert.equal(histogram.errors, durations.filter((d) => d % 7 === 0).length);
});

Deno.test("LatencyHistogram.quantileUs() reads one sample back exactly and nothing as null", () => {
  const histogram = new LatencyHistogram();
  assert.equal(histogram.quantileUs(0.99), null);
  histogram.add(250_000, false);
  assert.equal(histogram.quantileUs(0.5), 250_000);
  histogram.add(0, false);
  assert.equal(histogram.quantileUs(0.5), 0);
  histogram.add(Number.MAX_SAFE_INTEGER, false);
  const top = histogram.quantileUs(1)!;
  assert.ok(Math.abs(top / Number.MAX_SAFE_INTEGER - 1) <= RELATIVE_ACCURACY, `${top}`);
});

Deno.test("LatencyHistogram.addAll() sums counts, errors and bounds", () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  a.add(10, true);
  b.add(1000, false);
  b.add(2000, true);
  const sum = a.clone();
  sum.addAll(b);
  assert.deepEqual([sum.count, sum.errors, sum.min, sum.max], [3, 2, 10, 2000]);
  assert.equal(a.count, 1, "a clone is apart from its source");
});
