import assert from "node:assert/strict";
import { formatSummary, summarize } from "./summary.ts";

Deno.test("summarize() gives each scenario and the total its count, errors and percentiles", () => {
  const outcomes = [
    ...Array.from({ length: 100 }, (_, i) => ({ scenario: "get_user", ok: true, ms: i + 1 })),
    { scenario: "order", ok: false, ms: 7 },
  ];
  const rows = summarize(outcomes, ["create_user", "get_user", "order"]);
  assert.deepEqual(rows.map((r) => [r.scenario, r.count, r.errors]), [
    ["get_user", 100, 0],
    ["order", 1, 1],
    ["total", 101, 1],
  ]);
  assert.equal(rows[0]?.p50Ms, 50.5);
  assert.equal(rows[0]?.p99Ms, 99.01);
  assert.equal(
    formatSummary(rows),
    [
      "scenario  count  errors  p50 ms  p90 ms  p99 ms",
      "get_user    100       0    50.5    90.1    99.0",
      "order         1       1     7.0     7.0     7.0",
      "total       101       1    50.0    90.0    99.0",
    ].join("\n"),
  );
});
