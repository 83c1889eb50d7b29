import assert from "node:assert/strict";
import { ByteBudget } from "./byte_budget.ts";

Deno.test("ByteBudget refuses what would pass its limit and records the peak", () => {
  const budget = new ByteBudget(100);
  const a = budget.lease();
  const b = budget.lease();
  assert.equal(a.tryTake(60), true);
  assert.equal(b.tryTake(50), false);
  assert.equal(b.held, 0);
  assert.equal(b.tryTake(40), true);
  assert.equal(budget.used, 100);
  a.release();
  a.release();
  assert.equal(budget.used, 40);
  assert.equal(b.tryTake(60), true);
  b.release();
  assert.equal(budget.used, 0);
  assert.equal(budget.peak, 100);
  assert.throws(() => new ByteBudget(0), /Invalid byte budget 0: expected more than 0/);
});
