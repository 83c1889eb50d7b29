/**
 * Money as whole cents. The API speaks JSON numbers with at most two decimals; inside, every
 * amount is an integer number of cents, so totals are exact. The ranges keep each amount below
 * 10^15 cents (15 significant digits), where a JSON number round-trips to the same decimal.
 */

/** The smallest unit price: one cent. */
export const MIN_UNIT_PRICE_CENTS = 1;

/** The largest unit price: 1,000,000,000.00. */
export const MAX_UNIT_PRICE_CENTS = 100_000_000_000;

/** The largest order total: 9,999,999,999,999.99. */
export const MAX_TOTAL_CENTS = 999_999_999_999_999;

/**
 * The exact cents of `amount` when it has at most two decimals, else `undefined`.
 * `amount` is the double JSON.parse made of the client's decimal text; `cents / 100` is the
 * double nearest to that decimal, so equality means the text had at most two decimals.
 */
export function toCents(amount: number): number | undefined {
  if (!Number.isFinite(amount) || Math.abs(amount) > MAX_TOTAL_CENTS / 100) return undefined;
  const cents = Math.round(amount * 100);
  return cents / 100 === amount ? cents : undefined;
}

/** The JSON number for `cents`: exact for every amount within `MAX_TOTAL_CENTS`. */
export function fromCents(cents: number): number {
  return cents / 100;
}

/** The order total in cents, or `undefined` when it passes `MAX_TOTAL_CENTS`. */
export function totalCents(quantity: number, unitPriceCents: number): number | undefined {
  // Both factors are integers; any product past MAX_TOTAL_CENTS (< 2^53) is rejected, so
  // every product returned is exact.
  const total = quantity * unitPriceCents;
  return total <= MAX_TOTAL_CENTS ? total : undefined;
}

/** `cents` written as a decimal with two places, for messages: `1234.50`. */
export function formatCents(cents: number): string {
  const whole = Math.trunc(cents / 100);
  return `${whole}.${String(Math.abs(cents % 100)).padStart(2, "0")}`;
}
