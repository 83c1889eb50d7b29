import assert from "node:assert/strict";
import { createTestService } from "../testing/test_deps.ts";
import { makeSpan } from "../testing/span_fixture.ts";
import type { SpanRecord } from "../span_model.ts";
import { TRACE_READ_LIMIT } from "../store/query.ts";
import { readTraces } from "./search.ts";

const TRACE_ID = "1234567890abcdef1234567890abcdef";

/** One root span and `count - 1` children, a millisecond apart. */
function bigTrace(count: number, traceId = TRACE_ID, attribute = "x"): SpanRecord[] {
  const root = makeSpan({ traceId, startMs: 1_700_000_000_000, service: "big" });
  return [
    root,
    ...Array.from({ length: count - 1 }, (_, i) =>
      makeSpan({
        traceId,
        parentSpanId: root.spanId,
        startMs: 1_700_000_000_001 + i,
        service: "big",
        attributes: [{ key: "v", value: { stringValue: attribute } }],
      })),
  ];
}

Deno.test("getTrace() reads at most its limit, first spans first, and says what it left out", async (t) => {
  const service = createTestService();
  try {
    service.store.writeSpans(bigTrace(50));
    await t.step("within the limit the trace is whole", () => {
      const trace = service.store.getTrace(TRACE_ID)!;
      assert.equal(trace.spans.length, 50);
      assert.equal(trace.omitted, undefined);
    });
    await t.step("past the span count: the earliest spans and the count of the rest", () => {
      const trace = service.store.getTrace(TRACE_ID, { maxItems: 10, maxBytes: 1e9 })!;
      assert.equal(trace.spans.length, 10);
      assert.equal(trace.spans[0]!.parentSpanId, "", "the root comes first");
      assert.deepEqual(trace.omitted, { spans: 40, logs: 0 });
    });
    await t.step("past the bytes: as many spans as fit, at least one", () => {
      const one = service.store.getTrace(TRACE_ID, { maxItems: 1000, maxBytes: 1 })!;
      assert.equal(one.spans.length, 1);
      assert.deepEqual(one.omitted, { spans: 49, logs: 0 });
      const some = service.store.getTrace(TRACE_ID, { maxItems: 1000, maxBytes: 2000 })!;
      assert.ok(some.spans.length > 1 && some.spans.length < 50, `${some.spans.length}`);
      assert.ok(some.readBytes! <= 2000);
    });
  } finally {
    await service.close();
  }
});

Deno.test("readTraces() shares one limit over many traces, each keeping at least a span", () => {
  const service = createTestService();
  try {
    const ids = Array.from({ length: 5 }, (_, i) => `${i + 1}`.repeat(32));
    for (const id of ids) service.store.writeSpans(bigTrace(20, id));
    const traces = readTraces(service.store, ids, { maxItems: 30, maxBytes: 1e9 });
    assert.deepEqual(traces.map((trace) => trace.spans.length), [20, 10, 1, 1, 1]);
    assert.deepEqual(traces.map((trace) => trace.omitted?.spans ?? 0), [0, 10, 19, 19, 19]);
  } finally {
    service.close();
  }
});

Deno.test("a trace past the read limit is answered cut, with Jaeger's warning and a page notice", async () => {
  const service = createTestService();
  try {
    service.store.writeSpans(bigTrace(TRACE_READ_LIMIT.maxItems + 5, TRACE_ID, "v".repeat(3000)));
    const v1 = await (await service.query.request(`/api/traces/${TRACE_ID}`)).json();
    assert.equal(v1.data[0].spans.length, TRACE_READ_LIMIT.maxItems);
    assert.deepEqual(v1.data[0].warnings, [
      "Trace too large to return whole: 5 later spans and 0 log records are left out",
    ]);
    const search = await (await service.query.request("/api/traces?service=big")).json();
    assert.equal(search.data[0].spans.length, TRACE_READ_LIMIT.maxItems);
    const page = await service.query.request(`/trace/${TRACE_ID}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /too large to show whole: 8005 later spans/);
    // 2,000 spans, each value shown up to 1,024 characters of its 3,000.
    assert.ok(html.length < 12 * 1024 * 1024, `${html.length} bytes of HTML`);
    assert.match(html, /… \(1976 more characters\)/);
    assert.ok(!html.includes("v".repeat(1025)));
  } finally {
    await service.close();
  }
});
