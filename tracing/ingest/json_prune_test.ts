import assert from "node:assert/strict";
import { pruneOtlpJson } from "./json_prune.ts";
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from "./limits.ts";
import { normalizeLogs, normalizeTraces } from "./otlp_normalize.ts";

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const SPAN_ID = "b7ad6b7169203331";

/** A small seeded generator (mulberry32), so a failure names the request that caused it. */
function random(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** A request whose arrays are around the limits, with strings that look like JSON. */
function request(seed: number): unknown {
  const int = random(seed);
  const text = () => ["plain", "[1,2]", 'say "values":[', "}{,\\", "attributes"][int(5)]!;
  const value = (depth: number): unknown =>
    depth > 0 && int(3) === 0
      ? { arrayValue: { values: Array.from({ length: int(6) }, () => value(depth - 1)) } }
      : depth > 0 && int(3) === 0
      ? { kvlistValue: { values: attributes(depth - 1) } }
      : { stringValue: text() };
  const attributes = (depth: number): unknown[] =>
    Array.from(
      { length: int(8) === 0 ? 60 + int(80) : int(9) },
      (_, i) => int(10) === 0 ? null : { key: `${text()}${i}`, value: value(depth) },
    );
  const span = () => ({
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    name: text(),
    startTimeUnixNano: "1700000000000000000",
    endTimeUnixNano: "1700000001000000000",
    attributes: attributes(3),
    ...(int(2) === 0 ? { droppedAttributesCount: int(3) } : {}),
    events: Array.from({ length: int(5) }, () => ({ name: text(), attributes: attributes(2) })),
    links: Array.from(
      { length: int(5) },
      () => ({ traceId: TRACE_ID, spanId: SPAN_ID, attributes: attributes(1) }),
    ),
  });
  return {
    resourceSpans: Array.from({ length: 1 + int(2) }, () => ({
      resource: { attributes: attributes(1) },
      scopeSpans: [{ spans: Array.from({ length: 1 + int(3) }, span) }],
    })),
  };
}

const SMALL: IngestLimits = {
  ...DEFAULT_INGEST_LIMITS,
  attributeCount: 1,
  eventCount: 2,
  linkCount: 0,
  valueDepth: 2,
};

Deno.test("pruneOtlpJson() then JSON.parse normalizes exactly as JSON.parse alone", () => {
  for (let seed = 1; seed <= 300; seed++) {
    for (const indent of [undefined, 2]) {
      const text = JSON.stringify(request(seed), null, indent);
      for (const limits of [SMALL, { ...SMALL, attributeCount: 0, eventCount: 0 }]) {
        const pruned = pruneOtlpJson(text, limits);
        assert.deepEqual(
          normalizeTraces(JSON.parse(pruned), "hex", limits),
          normalizeTraces(JSON.parse(text), "hex", limits),
          `seed ${seed}`,
        );
      }
    }
  }
});

Deno.test("pruneOtlpJson() cuts a flood of attributes before parsing and counts it", () => {
  const attributes = Array(1_000_000).fill("{}").join(",");
  const text = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE_ID}",` +
    `"spanId":"${SPAN_ID}","startTimeUnixNano":"1700000000000000000",` +
    `"endTimeUnixNano":"1700000001000000000","attributes":[${attributes}]}]}]}]}`;
  const pruned = pruneOtlpJson(text, DEFAULT_INGEST_LIMITS);
  assert.ok(pruned.length < 2000, `${pruned.length} characters left`);
  const result = normalizeTraces(JSON.parse(pruned), "hex");
  assert.equal(result.items[0]!.attributes.length, 128);
  assert.equal(result.items[0]!.droppedAttributesCount, 1_000_000 - 128);
  assert.equal(result.tally!.attributes, 1_000_000 - 128);
});

Deno.test("pruneOtlpJson() leaves text that is not JSON, or has nothing to cut, as it is", () => {
  for (const text of ["", "not json", "{]", '{"attributes":[1,2', '"attributes"', "[[[[["]) {
    assert.equal(pruneOtlpJson(text, SMALL), text);
  }
  const logs =
    `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"a"},{"key":"b"}]}]}]}]}`;
  const pruned = pruneOtlpJson(logs, { ...SMALL, attributeCount: 0 });
  assert.deepEqual(
    normalizeLogs(JSON.parse(pruned), "hex", SMALL).items,
    normalizeLogs(JSON.parse(logs), "hex", SMALL).items,
  );
});
