import assert from "node:assert/strict";
import { ExportGate } from "./export_gate.ts";

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

  await t.step("by default, pauses at most one second however long the outage", () => {
    const time = clock();
    const gate = new ExportGate({ probeSpans: 1, now: time.now });
    const pauses: number[] = [];
    for (let i = 0; i < 8; i++) {
      gate.onExportResult(false);
      let waited = 0;
      while (!gate.admit()) {
        time.advance(10);
        waited += 10;
      }
      pauses.push(waited);
    }
    assert.ok(Math.max(...pauses) <= 1000, `pauses ${pauses}`);
  });
});

/** A probe whose answers the test gives. */
function heldProbe() {
  const answers: ((ok: boolean) => void)[] = [];
  return {
    probe: () => new Promise<boolean>((resolve) => answers.push(resolve)),
    answers,
  };
}

Deno.test("ExportGate with a probe", async (t) => {
  await t.step("sheds after a failed export and probes once per pause, not per span", () => {
    const time = clock();
    const { probe, answers } = heldProbe();
    const gate = new ExportGate({ initialBackoffMs: 100, maxBackoffMs: 400, probe, now: time.now });
    gate.onExportResult(false);
    assert.equal(gate.admit(), false);
    assert.equal(answers.length, 0, "no probe before the pause ends");
    time.advance(100);
    for (let i = 0; i < 5; i++) assert.equal(gate.admit(), false);
    assert.equal(answers.length, 1, "one probe in flight at a time");
    assert.equal(gate.probes, 1);
    assert.equal(gate.shed, 6);
  });

  await t.step("opens as soon as a probe succeeds", async () => {
    const time = clock();
    const { probe, answers } = heldProbe();
    const gate = new ExportGate({ initialBackoffMs: 100, probe, now: time.now });
    gate.onExportResult(false);
    time.advance(100);
    gate.admit();
    answers[0]!(true);
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(gate.isOpen, true);
    assert.equal(gate.admit(), true);
  });

  await t.step("after a failed probe, probes again within the one-second cap", async () => {
    const time = clock();
    const { probe, answers } = heldProbe();
    const gate = new ExportGate({
      initialBackoffMs: 250,
      maxBackoffMs: 1000,
      probe,
      now: time.now,
    });
    gate.onExportResult(false);
    for (let round = 0; round < 6; round++) {
      time.advance(1000);
      gate.admit();
      assert.equal(answers.length, round + 1, `probe ${round + 1} sent`);
      answers[round]!(false);
      await Promise.resolve();
      await Promise.resolve();
      assert.equal(gate.isOpen, false);
    }
    time.advance(1000);
    gate.admit();
    answers[6]!(true);
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(gate.isOpen, true);
  });

  await t.step("a probe that throws counts as a failure", async () => {
    const time = clock();
    const gate = new ExportGate({
      initialBackoffMs: 100,
      probe: () => Promise.reject(new Error("refused")),
      now: time.now,
    });
    gate.onExportResult(false);
    time.advance(100);
    gate.admit();
    for (let i = 0; i < 4; i++) await Promise.resolve();
    assert.equal(gate.isOpen, false);
  });

  await t.step("does not probe after a queue overflow: export results decide there", () => {
    const time = clock();
    const { probe, answers } = heldProbe();
    const gate = new ExportGate({ probe, now: time.now });
    gate.onQueueFull();
    time.advance(60_000);
    assert.equal(gate.admit(), false);
    assert.equal(answers.length, 0);
  });

  await t.step("a successful probe waits for a full queue to drain before opening", async () => {
    const time = clock();
    const { probe, answers } = heldProbe();
    let fill = 0.9;
    const gate = new ExportGate({
      initialBackoffMs: 100,
      probe,
      queueFill: () => fill,
      now: time.now,
    });
    gate.onExportResult(false);
    time.advance(100);
    gate.admit();
    answers[0]!(true);
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(gate.isOpen, false, "the queued spans would overflow the queue at once");
    assert.equal(gate.exportsFailing, false);
    fill = 0.4;
    gate.onExportResult(true, fill);
    assert.equal(gate.isOpen, true);
  });

  await t.step("says whether exports are failing", () => {
    const gate = new ExportGate();
    assert.equal(gate.exportsFailing, false);
    gate.onExportResult(false);
    assert.equal(gate.exportsFailing, true);
    gate.onExportResult(true);
    assert.equal(gate.exportsFailing, false);
  });
});
