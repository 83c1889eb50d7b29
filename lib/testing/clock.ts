/** A clock a test moves by hand, for code that takes `now` as a dependency. */

/** Time that only moves when the test calls `advance`. */
export class TestClock {
  #ms: number;

  /** Starts at `startMs` epoch milliseconds (default 2026-01-01T00:00:00Z). */
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#ms = startMs;
  }

  /** Epoch milliseconds, in the shape of `Date.now`. */
  readonly now = (): number => this.#ms;

  /** Epoch nanoseconds as a bigint. */
  readonly nowNs = (): bigint => BigInt(this.#ms) * 1_000_000n;

  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`TestClock cannot go back: advance(${ms})`);
    this.#ms += ms;
  }
}
