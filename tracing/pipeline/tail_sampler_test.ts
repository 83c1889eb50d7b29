import assert from "node:assert/strict";
import { TestClock } from "../../lib/testing/clock.ts";
import { waitFor } from "../../lib/testing/wait.ts";
import { makeSpan } from "../testing/span_fixture.ts";
import { createTailSampler, type SamplingOptions } from "./tail_sampler.ts";
import type { SpanRecord } from "../span_model.ts";

function collect(options: Partial<SamplingOptions>, now = () => 0) {
  const kept: SpanRecord[] = [];
  const dropped: string[] = [];
  const sampler = createTailSampler({
    ratio: 1,
    maxTracesPerSecond: 0,
    latencyThresholdMs: 1000,
    decisionWaitMs: 1000,
    ...options,
  }, { keep: (spans) => kept.push(...spans), drop: (_s, reason) => dropped.push(reason), now });
  return { sampler, kept, dropped };
}

Deno.test("createTailSampler() with the defaults passes every span straight through", () => {
  const { sampler, kept } = collect({});
  sampler.offer([makeSpan(), makeSpan()]);
  assert.equal(kept.length, 2);
  assert.equal(sampler.held(), 0);
});

Deno.test("createTailSampler() keeps error and slow traces and a ratio of the rest", async (t) => {
  await t.step("ratio 0 drops ordinary traces but keeps errors and slow ones", () => {
    const { sampler, kept, dropped } = collect({ ratio: 0, latencyThresholdMs: 100 });
    const error = makeSpan({ status: { code: 2, message: "x" } });
    const slow = makeSpan({ durationMs: 150 });
    const plain = makeSpan();
    sampler.offer([error, slow, plain]);
    assert.equal(sampler.held(), 3);
    sampler.flush();
    assert.deepEqual(kept.map((s) => s.spanId).sort(), [error.spanId, slow.spanId].sort());
    assert.deepEqual(dropped, ["ratio"]);
  });
  await t.step("spans arriving after the decision follow it", () => {
    const { sampler, kept } = collect({ ratio: 0, latencyThresholdMs: 100 });
    const error = makeSpan({ status: { code: 2, message: "x" } });
    sampler.offer([error]);
    sampler.flush();
    sampler.offer([makeSpan({ traceId: error.traceId })]);
    assert.equal(kept.length, 2);
  });
  await t.step("the rate cap keeps at most N ordinary traces a second", () => {
    const { sampler, kept, dropped } = collect({ maxTracesPerSecond: 2 });
    sampler.offer([makeSpan(), makeSpan(), makeSpan(), makeSpan()]);
    sampler.flush();
    assert.equal(kept.length, 2);
    assert.deepEqual(dropped, ["rate_limit", "rate_limit"]);
  });
  await t.step("a decision waits for decisionWaitMs", async () => {
    const clock = new TestClock();
    const { sampler, kept } = collect({ ratio: 0.999999, decisionWaitMs: 30 }, clock.now);
    const span = makeSpan({ traceId: "0af7651916cd43dd8448eb2100000000" });
    sampler.offer([span]);
    assert.equal(kept.length, 0);
    clock.advance(30);
    await waitFor("the decision after the wait", () => kept.length === 1);
    sampler.close();
  });
});
