import assert from "node:assert/strict";
import { selectKth } from "./span_metrics.ts";
import { nearestRank, nearestRankIndex } from "./trace_view.ts";

Deno.test("selectKth() picks what sorting picks, for every rank and quantile", () => {
  // A fixed linear congruential sequence: repeatable, with duplicates and runs.
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 50;
  for (const size of [1, 2, 3, 10, 101, 1000]) {
    const values = Array.from({ length: size }, next);
    const sorted = [...values].sort((a, b) => a - b);
    for (let k = 0; k < size; k++) {
      assert.equal(selectKth(Float64Array.from(values), k), sorted[k], `size ${size}, k ${k}`);
    }
    for (const q of [0.5, 0.75, 0.95, 0.99, 1]) {
      assert.equal(
        selectKth(Float64Array.from(values), nearestRankIndex(size, q)),
        nearestRank(sorted, q),
      );
    }
  }
});
