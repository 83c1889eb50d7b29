import assert from "node:assert/strict";
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from "@opentelemetry/api";
import { AlwaysOffSampler, AlwaysOnSampler, SamplingDecision } from "@opentelemetry/sdk-trace";
import { ExportGate, GatedSampler } from "./export_gate.ts";

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => now += ms };
}

Deno.test("ExportGate", async (t) => {
  await t.step("admits everything while exports succeed", () => {
    const gate = new ExportGate();
    gate.onExportResult(true);
    for (let i = 0; i < 3; i++) assert.equal(gate.admit(), true);
    assert.equal(gate.shed, 0);
  });

  await t.step("after a queue overflow, sheds until the next export succeeds", () => {
    const time = clock();
    const gate = new ExportGate({ now: time.now });
    gate.onQueueFull();
    time.advance(3_600_000);
    assert.equal(gate.admit(), false);
    assert.equal(gate.admit(), false);
    assert.equal(gate.shed, 2);
    gate.onExportResult(true);
    assert.equal(gate.admit(), true);
    assert.equal(gate.shed, 2);
  });

  await t.step("after a queue overflow, opens only once exports drained the queue to half", () => {
    const gate = new ExportGate();
    gate.onQueueFull();
    gate.onExportResult(true, 0.9);
    assert.equal(gate.admit(), false);
    gate.onExportResult(true, 0.6);
    assert.equal(gate.admit(), false);
    gate.onExportResult(true, 0.5);
    assert.equal(gate.admit(), true);
    assert.equal(gate.shed, 2);
  });

  await t.step("after a failed export, pauses, then lets a probe batch through", () => {
    const time = clock();
    const gate = new ExportGate({ initialBackoffMs: 100, probeSpans: 2, now: time.now });
    gate.onExportResult(false);
    assert.equal(gate.admit(), false);
    time.advance(100);
    assert.deepEqual([gate.admit(), gate.admit(), gate.admit()], [true, true, false]);
    assert.equal(gate.shed, 2);
  });

  await t.step(
    "doubles the pause on each failed probe, up to the limit, and resets on success",
    () => {
      const time = clock();
      const gate = new ExportGate({
        initialBackoffMs: 100,
        maxBackoffMs: 300,
        probeSpans: 1,
        now: time.now,
      });
      const pauseAfterFailure = () => {
        gate.onExportResult(false);
        let waited = 0;
        while (!gate.admit()) {
          time.advance(10);
          waited += 10;
        }
        return waited;
      };
      assert.deepEqual(
        [pauseAfterFailure(), pauseAfterFailure(), pauseAfterFailure()],
        [100, 200, 300],
      );
      gate.onExportResult(true);
      assert.equal(pauseAfterFailure(), 100);
    },
  );

  await t.step("one outage failing several queued batches backs off once", () => {
    const time = clock();
    const gate = new ExportGate({ initialBackoffMs: 100, probeSpans: 1, now: time.now });
    gate.onExportResult(false);
    gate.onExportResult(false);
    gate.onExportResult(false);
    time.advance(100);
    assert.equal(gate.admit(), true);
  });

  await t.step("a queue overflow during a pause does not cut the pause short or extend it", () => {
    const time = clock();
    const gate = new ExportGate({ initialBackoffMs: 100, probeSpans: 1, now: time.now });
    gate.onExportResult(false);
    gate.onQueueFull();
    time.advance(100);
    assert.equal(gate.admit(), true);
  });
});

Deno.test("GatedSampler", async (t) => {
  const sample = (sampler: GatedSampler, context = ROOT_CONTEXT) =>
    sampler.shouldSample(context, TRACE_ID, "span", SpanKind.SERVER, {}, []).decision;

  await t.step("follows the inner sampler while the gate is open", () => {
    const gate = new ExportGate();
    assert.equal(
      sample(new GatedSampler(new AlwaysOnSampler(), gate)),
      SamplingDecision.RECORD_AND_SAMPLED,
    );
    assert.equal(
      sample(new GatedSampler(new AlwaysOffSampler(), gate)),
      SamplingDecision.NOT_RECORD,
    );
  });

  await t.step("does not record new traces while the gate is shut, and counts them", () => {
    const gate = new ExportGate();
    gate.onQueueFull();
    const sampler = new GatedSampler(new AlwaysOnSampler(), gate);
    assert.equal(sample(sampler), SamplingDecision.NOT_RECORD);
    const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID,
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    assert.equal(sample(sampler, remoteParent), SamplingDecision.NOT_RECORD);
    assert.equal(gate.shed, 2);
  });

  await t.step("keeps recording children of a local recorded span, so traces stay whole", () => {
    const gate = new ExportGate();
    gate.onQueueFull();
    const localParent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID,
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.SAMPLED,
    });
    const sampler = new GatedSampler(new AlwaysOnSampler(), gate);
    assert.equal(sample(sampler, localParent), SamplingDecision.RECORD_AND_SAMPLED);
    assert.equal(gate.shed, 0);
  });

  await t.step("does not count spans the inner sampler drops anyway", () => {
    const gate = new ExportGate();
    gate.onQueueFull();
    assert.equal(
      sample(new GatedSampler(new AlwaysOffSampler(), gate)),
      SamplingDecision.NOT_RECORD,
    );
    assert.equal(gate.shed, 0);
  });
});
