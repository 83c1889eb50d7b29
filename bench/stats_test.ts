import assert from "node:assert/strict";
import { ResultSet } from "./results.ts";
import { bucketDelta, bucketPercentile, percentile, spread } from "./stats.ts";

function assertClose(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} is not ${expected}`);
}

Deno.test("percentile() interpolates between ranks", () => {
  assert.equal(percentile([1, 2, 3, 4, 5], 50), 3);
  assert.equal(percentile([10, 20], 50), 15);
  assert.ok(Number.isNaN(percentile([], 50)));
});

Deno.test("spread() gives median, min and max of finite values", () => {
  assert.deepEqual(spread([3, 1, Number.NaN, 2]), { median: 2, min: 1, max: 3 });
});

Deno.test("bucketPercentile() interpolates inside the bucket that holds the rank", async (t) => {
  const le = [0.001, 0.01, 0.1, Number.POSITIVE_INFINITY];
  await t.step("inside a bucket", () => {
    assertClose(bucketPercentile({ le, counts: [0, 10, 10, 10] }, 50), 0.0055);
  });
  await t.step("after subtracting an earlier snapshot", () => {
    const delta = bucketDelta({ le, counts: [5, 15, 25, 25] }, { le, counts: [5, 5, 5, 5] });
    assert.deepEqual(delta.counts, [0, 10, 20, 20]);
    assertClose(bucketPercentile(delta, 50), 0.01);
  });
  await t.step("empty", () => assert.ok(Number.isNaN(bucketPercentile({ le, counts: [0] }, 50))));
});

Deno.test("ResultSet.rows() takes the median of per-repeat ratios to the baseline", () => {
  const results = new ResultSet();
  const key = (variant: string) => ({ scenario: "s", variant, metric: "rps", unit: "req/s" });
  for (const [base, traced] of [[100, 80], [200, 150], [50, 45]]) {
    results.add(key("untraced"), base!);
    results.add(key("traced"), traced!, { ratioTo: "untraced" });
  }
  const [untraced, traced] = results.rows();
  assert.equal(untraced!.ratio, undefined);
  assert.equal(traced!.ratio, 0.8);
  assert.deepEqual([traced!.median, traced!.min, traced!.max], [80, 45, 150]);
});
