/** Waiting in tests: for a condition to hold (polled), or for a moment to pass. */

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Options of `waitFor`. */
export interface WaitOptions {
  /** Give up after this long; default 10 s. A time-out, not an assertion on speed. */
  timeoutMs?: number;
  /** Time between checks; default 25 ms. */
  intervalMs?: number;
}

/**
 * Polls `check` until it returns something other than `false`, `undefined` or `null`, and
 * resolves to that value; after `timeoutMs` rejects naming `what` (text, or a function called
 * then, to describe the last state seen).
 */
export async function waitFor<T>(
  what: string | (() => string),
  check: () => T | false | undefined | null | Promise<T | false | undefined | null>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await check();
    if (value !== false && value !== undefined && value !== null) return value;
    if (Date.now() > deadline) {
      const description = typeof what === "string" ? what : what();
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    }
    await delay(options.intervalMs ?? 25);
  }
}
