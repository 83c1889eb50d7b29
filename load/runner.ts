/**
 * The open-loop schedule: requests start at the asked rate whether or not earlier ones finished
 * (so a slow service shows as latency, not as fewer requests), up to a cap in flight; a request
 * due while the cap is reached is dropped and counted. The run stops starting requests after its
 * duration and ends once the ones in flight settled.
 */

/** One finished request. */
export interface Outcome {
  scenario: string;
  ok: boolean;
  ms: number;
}

/** Counts while the run goes. */
export interface Progress {
  elapsedMs: number;
  started: number;
  finished: number;
  errors: number;
  dropped: number;
  inFlight: number;
}

/** What `runOpenLoop` needs. */
export interface OpenLoopOptions {
  /** Requests started per second. */
  rate: number;
  durationMs: number;
  /** Most requests in flight at once. */
  concurrency: number;
  /** Picks the next scenario. */
  pick: () => string;
  /** Runs one request of `scenario`; resolves whether it worked, throws on a network error. */
  send: (scenario: string) => Promise<boolean>;
  onProgress?: (progress: Progress) => void;
  progressEveryMs?: number;
  /** Stops starting requests early. */
  signal?: AbortSignal;
  /** Milliseconds since some start; replaceable in tests. */
  now?: () => number;
}

/** What a run did. */
export interface RunResult {
  outcomes: Outcome[];
  dropped: number;
  elapsedMs: number;
}

/** Runs the schedule to its end. */
export async function runOpenLoop(options: OpenLoopOptions): Promise<RunResult> {
  const now = options.now ?? (() => performance.now());
  const start = now();
  const outcomes: Outcome[] = [];
  const inFlight = new Set<Promise<void>>();
  let started = 0;
  let dropped = 0;
  let errors = 0;
  const progress = (): Progress => ({
    elapsedMs: now() - start,
    started,
    finished: outcomes.length,
    errors,
    dropped,
    inFlight: inFlight.size,
  });
  const launch = () => {
    const scenario = options.pick();
    const begun = now();
    const request = options.send(scenario)
      .catch(() => false)
      .then((ok) => {
        if (!ok) errors++;
        outcomes.push({ scenario, ok, ms: now() - begun });
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  const tickMs = Math.max(1, Math.min(50, 1000 / options.rate));
  const progressEveryMs = options.progressEveryMs ?? 1000;
  let due = 0;
  let lastProgress = start;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = now() - start;
      const stop = elapsed >= options.durationMs || options.signal?.aborted === true;
      const target = Math.floor(Math.min(elapsed, options.durationMs) * options.rate / 1000);
      for (; due < target; due++) {
        if (inFlight.size >= options.concurrency) dropped++;
        else {
          started++;
          launch();
        }
      }
      if (now() - lastProgress >= progressEveryMs) {
        lastProgress = now();
        options.onProgress?.(progress());
      }
      if (stop) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, tickMs);
  });
  await Promise.all(inFlight);
  options.onProgress?.(progress());
  return { outcomes, dropped, elapsedMs: now() - start };
}
