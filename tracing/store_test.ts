import assert from "node:assert/strict";
import { join } from "node:path";
import { makeSpan } from "./_span_fixture.ts";
import { openTraceStore } from "./store.ts";

Deno.test("openTraceStore() keeps spans across a restart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const span = makeSpan({ name: "persisted" });
    const first = openTraceStore(join(dir, "traces.db"));
    first.writeSpans([span]);
    first.close();
    const second = openTraceStore(join(dir, "traces.db"));
    assert.equal(second.getTrace(span.traceId)?.spans[0]?.name, "persisted");
    assert.deepEqual(second.services(), ["svc"]);
    second.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("enforceRetention() deletes by age, then the oldest until the size fits", async (t) => {
  const store = openTraceStore(":memory:");
  try {
    await t.step("spans older than the maximum age go", () => {
      const now = Date.now();
      const old = makeSpan({ startMs: now - 3 * 3600_000 });
      const fresh = makeSpan({ startMs: now - 60_000 });
      store.writeSpans([old, fresh]);
      assert.equal(store.enforceRetention({ maxAgeMs: 3600_000, maxBytes: 1e12, nowMs: now }), 1);
      assert.equal(store.getTrace(old.traceId), undefined);
      assert.ok(store.getTrace(fresh.traceId));
    });
    await t.step("above the size bound the oldest spans go first", () => {
      const now = Date.now();
      const pad = [{ key: "pad", value: { stringValue: "x".repeat(2000) } }];
      const spans = Array.from(
        { length: 500 },
        (_, i) => makeSpan({ startMs: now - 100_000 + i, attributes: pad }),
      );
      store.writeSpans(spans);
      const before = store.sizeBytes();
      const deleted = store.enforceRetention({
        maxAgeMs: 3600_000,
        maxBytes: before / 2,
        nowMs: now,
      });
      assert.ok(deleted > 0);
      assert.ok(store.sizeBytes() <= before / 2, `${store.sizeBytes()} > ${before / 2}`);
      assert.equal(store.getTrace(spans[0]!.traceId), undefined);
      assert.ok(store.getTrace(spans[499]!.traceId));
    });
  } finally {
    store.close();
  }
});

Deno.test("dependencies() counts calls between services, producer to consumer included", () => {
  const store = openTraceStore(":memory:");
  try {
    const order = makeSpan({ service: "order" });
    const user = makeSpan({ service: "user", traceId: order.traceId, parentSpanId: order.spanId });
    const producer = makeSpan({ service: "producer", kind: 4 });
    const consumer = makeSpan({
      service: "consumer",
      kind: 5,
      traceId: producer.traceId,
      parentSpanId: producer.spanId,
    });
    store.writeSpans([order, user, producer, consumer]);
    const now = Date.now() * 1000;
    assert.deepEqual(store.dependencies(now - 60e6, now + 60e6), [
      { parent: "order", child: "user", callCount: 1 },
      { parent: "producer", child: "consumer", callCount: 1 },
    ]);
  } finally {
    store.close();
  }
});
