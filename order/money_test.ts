import assert from "node:assert/strict";
import { formatCents, MAX_TOTAL_CENTS, toCents, totalCents } from "./money.ts";

Deno.test("toCents() accepts amounts with at most two decimals, exactly", async (t) => {
  const cases: [number, number | undefined][] = [
    [0.1, 10],
    [0.29, 29],
    [12.5, 1250],
    [1.005, undefined],
    [5e-324, undefined],
    [1.234, undefined],
    [9999999999999.99, 999999999999999],
    [Number.NaN, undefined],
    [Infinity, undefined],
    [1e300, undefined],
  ];
  for (const [amount, cents] of cases) {
    await t.step(String(amount), () => assert.equal(toCents(amount), cents));
  }
});

Deno.test("totalCents() is exact up to MAX_TOTAL_CENTS and refuses past it", () => {
  assert.equal(totalCents(3, 10), 30);
  assert.equal(totalCents(999_999, 999_999_999), 999_998_999_000_001);
  assert.equal(totalCents(1, MAX_TOTAL_CENTS), MAX_TOTAL_CENTS);
  assert.equal(totalCents(2, MAX_TOTAL_CENTS), undefined);
  assert.equal(totalCents(999_999, 99_999_999_999), undefined);
});

Deno.test("formatCents() writes two decimal places", () => {
  assert.equal(formatCents(MAX_TOTAL_CENTS), "9999999999999.99");
  assert.equal(formatCents(105), "1.05");
  assert.equal(formatCents(7), "0.07");
});
