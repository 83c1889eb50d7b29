import assert from "node:assert/strict";
import { TestClock } from "./clock.ts";
import { waitFor } from "./wait.ts";

Deno.test("waitFor() resolves to the first value that is not false, undefined or null", async () => {
  let calls = 0;
  const value = await waitFor("the third call", () => ++calls === 3 ? { calls } : undefined, {
    intervalMs: 1,
  });
  assert.deepEqual(value, { calls: 3 });
  assert.equal(await waitFor("zero", () => 0), 0);
});

Deno.test("waitFor() fails naming what it waited for and the last state", async () => {
  let seen = 0;
  await assert.rejects(
    waitFor(() => `a miracle (seen ${seen})`, () => (seen++, false), {
      timeoutMs: 0,
      intervalMs: 1,
    }),
    /^Error: Timed out after 0 ms waiting for a miracle \(seen \d+\)$/,
  );
});

Deno.test("TestClock moves only when advanced, forward only", () => {
  const clock = new TestClock(1000);
  assert.equal(clock.now(), 1000);
  clock.advance(250);
  assert.equal(clock.now(), 1250);
  assert.equal(clock.nowNs(), 1_250_000_000n);
  assert.throws(() => clock.advance(-1), RangeError);
});
