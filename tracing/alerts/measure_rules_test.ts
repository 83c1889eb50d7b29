import assert from "node:assert/strict";
import { latencyStats } from "../query/trace_view.ts";
import { openTraceStore, type TraceStore } from "../store/store.ts";
import type { SpanScanQuery } from "../store/span_scan.ts";
import { makeSpan } from "../testing/span_fixture.ts";
import { RELATIVE_ACCURACY } from "./latency_histogram.ts";
import { measureRules, RULES_PER_STEP, SCAN_CHUNK_SPANS } from "./measure_rules.ts";
import type { AlertRule } from "./rule.ts";

const NOW_MS = Date.UTC(2026, 0, 1);

function rule(overrides: Partial<AlertRule> & { name: string }): AlertRule {
  return { service: "load-svc", metric: "p99", threshold: 1, windowMs: 3600_000, ...overrides };
}

/** 20,000 spans of load-svc over the last 2,000 s, 10 operations, durations 0-499 ms. */
function loadedStore(): TraceStore {
  const store = openTraceStore(":memory:");
  const spans = Array.from({ length: 20_000 }, (_, n) =>
    makeSpan({
      service: "load-svc",
      name: `op${n % 10}`,
      startMs: NOW_MS - 100 * n - 1,
      durationMs: n % 500,
      status: { code: n % 4 === 0 ? 2 : 0, message: "" },
    }));
  store.writeSpans(spans);
  return store;
}

Deno.test("measureRules() reads each stored span once for 500 rules, in chunks between pauses", async () => {
  const store = loadedStore();
  try {
    const scans: number[] = [];
    let scansSincePause = 0;
    let pauses = 0;
    const counted = {
      operations: store.operations,
      scanSpans(query: SpanScanQuery) {
        const chunk = store.scanSpans(query);
        scans.push(chunk.spans.length);
        scansSincePause++;
        assert.equal(scansSincePause, 1, "two chunks were read without a pause between them");
        return chunk;
      },
    };
    const rules = Array.from({ length: 500 }, (_, i) =>
      rule({
        name: `r${i}`,
        threshold: i,
        ...(i % 5 === 0 ? { metric: "error_rate" as const } : {}),
        ...(i % 7 === 0 ? { operation: `op${i % 10}` } : {}),
        ...(i % 11 === 0 ? { windowMs: 600_000 } : {}),
      }));
    const measured = await measureRules(rules, {
      store: counted,
      nowMs: NOW_MS,
      pause: () => {
        pauses++;
        scansSincePause = 0;
        return Promise.resolve();
      },
    });
    // Every (service, operation) read once, however many rules share it.
    assert.equal(scans.reduce((a, b) => a + b, 0), 20_000);
    assert.ok(Math.max(...scans) <= SCAN_CHUNK_SPANS);
    assert.ok(pauses >= scans.length + 500 / RULES_PER_STEP, `${pauses} pauses`);
    assert.equal(measured.size, 500);

    for (const r of [rules[1]!, rules[5]!, rules[7]!, rules[11]!, rules[35]!]) {
      const samples = store.spanSamples({
        service: r.service,
        ...(r.operation === undefined ? {} : { operation: r.operation }),
        sinceUs: (NOW_MS - r.windowMs) * 1000,
      });
      const exact = latencyStats(samples, r.windowMs);
      const got = measured.get(r);
      assert.ok(got !== undefined && "value" in got && got.value !== null, JSON.stringify(got));
      if (r.metric === "error_rate") assert.equal(got.value, exact.error_rate);
      else {
        const want = exact.p99_ms!;
        assert.ok(Math.abs(got.value - want) <= want * RELATIVE_ACCURACY, `${got.value} ${want}`);
      }
    }
  } finally {
    store.close();
  }
});

Deno.test("measureRules() reports a target that cannot be read on its rules only", async () => {
  const store = loadedStore();
  try {
    const failing = {
      operations: store.operations,
      scanSpans(query: SpanScanQuery) {
        if (query.operation === "op3") throw new RangeError("Value is too large");
        return store.scanSpans(query);
      },
    };
    const broken = rule({ name: "broken", operation: "op3" });
    const whole = rule({ name: "whole service" });
    const fine = rule({ name: "fine", operation: "op4" });
    const measured = await measureRules([broken, whole, fine], {
      store: failing,
      nowMs: NOW_MS,
      pause: () => Promise.resolve(),
    });
    assert.deepEqual(measured.get(broken), {
      error: 'Evaluating "broken" failed: Value is too large',
    });
    assert.deepEqual(measured.get(whole), {
      error: 'Evaluating "whole service" failed: Value is too large',
    });
    const value = measured.get(fine);
    assert.ok(value !== undefined && "value" in value && value.value !== null);
  } finally {
    store.close();
  }
});

Deno.test("measureRules() ends at the first pause after it is told to stop", async () => {
  const store = loadedStore();
  try {
    let scans = 0;
    let stop = false;
    const measured = await measureRules([rule({ name: "r" })], {
      store: {
        operations: store.operations,
        scanSpans: (query) => (scans++, store.scanSpans(query)),
      },
      nowMs: NOW_MS,
      pause: () => (stop = true, Promise.resolve()),
      stopped: () => stop,
    });
    assert.equal(scans, 1);
    assert.equal(measured.size, 0);
  } finally {
    store.close();
  }
});

Deno.test("measureRules() leaves spans dated after now out of every window", async () => {
  const store = openTraceStore(":memory:");
  try {
    store.writeSpans([
      makeSpan({ service: "load-svc", startMs: NOW_MS - 1000, durationMs: 10 }),
      makeSpan({ service: "load-svc", startMs: NOW_MS + 3600_000, durationMs: 9000 }),
    ]);
    const r = rule({ name: "r" });
    const measured = await measureRules([r], {
      store,
      nowMs: NOW_MS,
      pause: () => Promise.resolve(),
    });
    assert.deepEqual(measured.get(r), { value: 10 });
  } finally {
    store.close();
  }
});
