/**
 * A byte allowance shared by concurrent requests, so bodies being read and inflated together
 * cannot hold more memory than the budget. Each request reserves what it may hold through its
 * own lease before it reads anything (so it is admitted or refused at once, never half-way),
 * gives back what it did not use once read, and the rest when it is done.
 */

/** The shared allowance. */
export class ByteBudget {
  readonly limit: number;
  #used = 0;
  #peak = 0;

  constructor(limit: number) {
    if (!(limit > 0)) throw new RangeError(`Invalid byte budget ${limit}: expected more than 0`);
    this.limit = limit;
  }

  /** Bytes held by open leases now. */
  get used(): number {
    return this.#used;
  }

  /** The most bytes ever held at once. */
  get peak(): number {
    return this.#peak;
  }

  /** A new, empty lease on this budget. */
  lease(): ByteLease {
    return new ByteLease(this);
  }

  /** Takes `bytes` if they fit; `false` (nothing taken) when they would pass the limit. */
  tryTake(bytes: number): boolean {
    if (this.#used + bytes > this.limit) return false;
    this.#used += bytes;
    if (this.#used > this.#peak) this.#peak = this.#used;
    return true;
  }

  /** Gives back bytes taken earlier. */
  give(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}

/** One request's share of a `ByteBudget`; `release()` returns all of it. */
export class ByteLease {
  readonly #budget: ByteBudget;
  #held = 0;

  constructor(budget: ByteBudget) {
    this.#budget = budget;
  }

  /** Bytes this lease holds. */
  get held(): number {
    return this.#held;
  }

  /** Takes `bytes` more; `false` when the shared budget has no room for them. */
  tryTake(bytes: number): boolean {
    if (!this.#budget.tryTake(bytes)) return false;
    this.#held += bytes;
    return true;
  }

  /** Gives back all but `bytes` of what this lease holds (nothing when it holds less). */
  shrinkTo(bytes: number): void {
    if (this.#held <= bytes) return;
    this.#budget.give(this.#held - bytes);
    this.#held = bytes;
  }

  /** Returns everything held; safe to call more than once. */
  release(): void {
    this.#budget.give(this.#held);
    this.#held = 0;
  }
}
