import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { makeSpan } from "../testing/span_fixture.ts";
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

Deno.test("writeSpans() stores every span of a batch that spans several multi-row inserts", () => {
  const store = openTraceStore(":memory:");
  try {
    const traceId = crypto.randomUUID().replaceAll("-", "");
    // 70 spans: two full multi-row inserts and six rows alone; the last replaces the first.
    const spans = Array.from({ length: 69 }, (_, i) => makeSpan({ traceId, name: `op ${i}` }));
    spans.push({ ...spans[0]!, name: "replaced", service: "other" });
    store.writeSpans(spans);
    const stored = store.getTrace(traceId)?.spans ?? [];
    assert.equal(stored.length, 69);
    const names = new Set(stored.map((span) => span.name));
    assert.ok(names.has("replaced") && !names.has("op 0"));
    for (let i = 1; i < 69; i++) assert.ok(names.has(`op ${i}`), `op ${i} is missing`);
    assert.deepEqual(store.services(), ["other", "svc"]);
    assert.equal(store.spanCount(), 69);
  } finally {
    store.close();
  }
});

Deno.test("openTraceStore() upgrades a schema 1 file and refuses a newer one", async (t) => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "traces.db");
  try {
    await t.step("schema 1 spans are readable and searchable after the upgrade", () => {
      const span = makeSpan({
        name: "old",
        attributes: [{ key: "http.route", value: { stringValue: "/a" } }],
      });
      const v1 = new DatabaseSync(path);
      v1.exec(`CREATE TABLE spans (trace_id TEXT NOT NULL, span_id TEXT NOT NULL,
        parent_span_id TEXT NOT NULL, service TEXT NOT NULL, operation TEXT NOT NULL,
        kind INTEGER NOT NULL, start_us INTEGER NOT NULL, duration_us INTEGER NOT NULL,
        error INTEGER NOT NULL, tags TEXT NOT NULL, data TEXT NOT NULL);
        CREATE UNIQUE INDEX spans_by_id ON spans (trace_id, span_id);
        CREATE INDEX spans_by_start ON spans (start_us);`);
      v1.prepare("INSERT INTO spans VALUES (?, ?, '', 'svc', 'old', 2, 1, 5, 0, '{}', ?)")
        .run(span.traceId, span.spanId, JSON.stringify(span));
      v1.close();
      const store = openTraceStore(path);
      try {
        assert.deepEqual(store.getTrace(span.traceId)?.spans, [span]);
        assert.deepEqual(store.findTraceIds({ tags: { "service.name": "svc" }, limit: 5 }), [
          span.traceId,
        ]);
        assert.deepEqual(store.findTraceIds({ tags: { "http.route": "/a" }, limit: 5 }), [
          span.traceId,
        ]);
      } finally {
        store.close();
      }
    });
    await t.step("a file of a newer schema is refused, naming the file and the version", () => {
      const newer = new DatabaseSync(path);
      newer.exec("PRAGMA user_version = 99");
      newer.close();
      assert.throws(
        () => openTraceStore(path),
        new RegExp(`Unsupported trace store ".*traces\\.db": schema version 99 is newer`),
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("findTraceIds() matches a tag on the span first, then on its resource", () => {
  const store = openTraceStore(":memory:");
  try {
    const resource = [
      { key: "service.name", value: { stringValue: "svc" } },
      { key: "host.name", value: { stringValue: "box" } },
    ];
    const plain = makeSpan({ resource });
    const overriding = makeSpan({
      resource,
      attributes: [{ key: "host.name", value: { stringValue: "other" } }],
    });
    const failed = makeSpan({ status: { code: 2, message: "boom" } });
    store.writeSpans([plain, overriding, failed]);
    assert.deepEqual(store.findTraceIds({ tags: { "host.name": "box" }, limit: 5 }), [
      plain.traceId,
    ]);
    assert.deepEqual(store.findTraceIds({ tags: { "host.name": "other" }, limit: 5 }), [
      overriding.traceId,
    ]);
    assert.deepEqual(store.findTraceIds({ tags: { error: "true" }, limit: 5 }), [failed.traceId]);
    assert.deepEqual(store.getTrace(overriding.traceId)?.spans, [overriding]);
  } finally {
    store.close();
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
      assert.deepEqual(store.getTrace(fresh.traceId)?.spans, [fresh]);
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
