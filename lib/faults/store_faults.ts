/**
 * Faults on a store's calls, as HotROD's slow MySQL and its connection pool of one: a delay fault
 * that makes every call wait (inside its query span) and a switch that lets one call at a time
 * through, so calls queue behind each other.
 */
import type { FaultRegistry } from "./registry.ts";
import { delayMark, epochNow, type FaultMark, sleep, withHeldFaults } from "./span_marks.ts";

/** Which of the registry's faults act on the store. */
export interface StoreFaultNames {
  /** A delay fault: each call waits before its query runs. */
  slow: string;
  /** A switch fault: calls run one at a time. */
  oneAtATime: string;
}

/**
 * Wraps every method of `store` (each returning a promise) so the faults act on it; the first
 * query span of a call starts when its wait began and carries the faults' marks.
 */
export function withStoreFaults<S extends object>(
  store: S,
  options: { faults: FaultRegistry; names: StoreFaultNames },
): S {
  const { faults, names } = options;
  const pool = new OneAtATime();
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    const slow = faults.delay(names.slow);
    const serial = faults.enabled(names.oneAtATime);
    if (slow === undefined && !serial) return await work();
    const startTime = epochNow();
    const marks: FaultMark[] = [];
    const release = serial ? await pool.acquire() : undefined;
    try {
      if (serial) {
        const waited = Math.round(epochNow() - startTime);
        marks.push({ name: names.oneAtATime, parameters: { wait_ms: waited } });
      }
      if (slow !== undefined) {
        await sleep(slow.ms);
        marks.push(delayMark(names.slow, slow));
      }
      return await withHeldFaults({ startTime, marks, taken: false }, work);
    } finally {
      release?.();
    }
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => call(() => value.apply(target, args));
    },
  });
}

/** A queue of callers, each let through when the one before released. */
class OneAtATime {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves with the release function once the caller is first in line. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => release = resolve);
    const before = this.#tail;
    this.#tail = before.then(() => turn);
    return before.then(() => release);
  }
}
