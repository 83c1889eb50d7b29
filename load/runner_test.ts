import assert from "node:assert/strict";
import { runOpenLoop } from "./runner.ts";

Deno.test("runOpenLoop() starts rate x duration requests whatever their speed", async () => {
  const result = await runOpenLoop({
    rate: 100,
    durationMs: 300,
    concurrency: 100,
    pick: () => "a",
    send: () => Promise.resolve(true),
  });
  assert.equal(result.outcomes.length, 30);
  assert.equal(result.dropped, 0);
});

Deno.test("runOpenLoop() drops what falls due at the concurrency cap and counts it", async () => {
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const progress: number[] = [];
  const run = runOpenLoop({
    rate: 100,
    durationMs: 300,
    concurrency: 5,
    pick: () => "slow",
    send: () => released.then(() => false),
    onProgress: (p) => progress.push(p.inFlight),
    progressEveryMs: 50,
  });
  // Open loop: the cap drops requests instead of slowing the schedule.
  setTimeout(release, 400);
  const result = await run;
  assert.equal(result.outcomes.length, 5);
  assert.equal(result.dropped, 25);
  assert.ok(result.outcomes.every((o) => !o.ok && o.scenario === "slow"));
  assert.ok(progress.includes(5), `progress saw the cap: ${progress}`);
  assert.equal(progress.at(-1), 0, "the last progress line is after everything settled");
});

Deno.test("runOpenLoop() counts a network error as a failed request", async () => {
  const result = await runOpenLoop({
    rate: 50,
    durationMs: 100,
    concurrency: 10,
    pick: () => "down",
    send: () => Promise.reject(new TypeError("connection refused")),
  });
  assert.equal(result.outcomes.length, 5);
  assert.ok(result.outcomes.every((o) => !o.ok));
});
