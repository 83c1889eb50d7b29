/**
 * Integers in paths and query strings written as plain decimal digits. `Number()` (and so
 * `z.coerce.number()`) also reads `0x10`, ` 1`, `1e1` and `+1`; two spellings of one id would
 * name one resource, so only `0`-`9` are accepted.
 */
import { z } from "zod";

const DIGITS = /^[0-9]+$/;

/** A schema reading a string of decimal digits as an integer from `min` to `max` (a safe integer). */
export function digitsSchema(
  options: { min?: number; max?: number } = {},
): z.ZodType<number, string> {
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  return z.string()
    .regex(DIGITS, "expected plain decimal digits")
    .transform((text) => Number(text))
    .pipe(z.number().int().min(min).max(max));
}
