import assert from "node:assert/strict";
import { makeSpan } from "../testing/span_fixture.ts";
import { clockSkewWarnings, goDuration } from "./jaeger_clock_skew.ts";

Deno.test("goDuration() writes durations as Go's time.Duration.String() does", () => {
  const cases: [bigint, string][] = [
    [0n, "0s"],
    [999n, "999ns"],
    [-541_745n, "-541.745µs"],
    [1_500_000n, "1.5ms"],
    [2_000_000_000n, "2s"],
    [62_500_000_000n, "1m2.5s"],
    [3_600_000_000_000n, "1h0m0s"],
  ];
  for (const [nanos, text] of cases) assert.equal(goDuration(nanos), text);
});

Deno.test("clockSkewWarnings() warns as Jaeger does for a child outside its parent", () => {
  const parent = makeSpan({ startMs: 1000, durationMs: 0.97 });
  const child = makeSpan({
    traceId: parent.traceId,
    parentSpanId: parent.spanId,
    startMs: 1001,
    durationMs: 0.054,
  });
  const inside = makeSpan({
    traceId: parent.traceId,
    parentSpanId: parent.spanId,
    startMs: 1000.1,
  });
  inside.endTimeUnixNano = String(BigInt(inside.startTimeUnixNano) + 10_000n);
  const orphan = makeSpan({ traceId: parent.traceId, parentSpanId: "00000000000000ab" });
  const warnings = clockSkewWarnings([parent, child, inside, orphan], "v1");
  assert.deepEqual(warnings.get(child.spanId), [
    "clock skew adjustment disabled; not applying calculated delta of -542µs",
  ]);
  assert.equal(warnings.get(inside.spanId), undefined);
  assert.equal(warnings.get(parent.spanId), undefined);
  assert.deepEqual(warnings.get(orphan.spanId), [
    "invalid parent span IDs=00000000000000ab; skipping clock skew adjustment",
  ]);
  assert.deepEqual(clockSkewWarnings([parent, orphan], "v3").get(orphan.spanId), [
    "parent span ID=00000000000000ab is not in the trace; skipping clock skew adjustment",
  ]);
});

Deno.test("clockSkewWarnings() for v3 lets spans of one host share their parent's skew", () => {
  const host = { key: "host.name", value: { stringValue: "box" } };
  const parent = makeSpan({ startMs: 1000, durationMs: 0.97, resource: [host] });
  const child = makeSpan({
    traceId: parent.traceId,
    parentSpanId: parent.spanId,
    startMs: 1001,
    durationMs: 0.054,
    resource: [host],
  });
  assert.equal(clockSkewWarnings([parent, child], "v3").size, 0);
  child.resource = [{ key: "host.name", value: { stringValue: "other" } }];
  assert.deepEqual(clockSkewWarnings([parent, child], "v3").get(child.spanId), [
    "clock skew adjustment disabled; not applying calculated delta of -542µs",
  ]);
});
