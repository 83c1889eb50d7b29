/**
 * Simulated load: bounded background runs that publish at a steady rate for a set time and stop
 * by themselves. A run issues exactly `floor(elapsed * rate)` messages, so falling behind on one
 * tick is made up on the next, and caps the publishes waiting for a confirm.
 */
import type { Priority } from "./message.ts";

/** What a run publishes. */
export interface LoadSpec {
  durationSeconds: number;
  messagesPerSecond: number;
  priority: Priority;
}

/** A run's progress, as the API shows it. */
export interface LoadRunView {
  id: string;
  status: "running" | "completed" | "stopped";
  duration_seconds: number;
  messages_per_second: number;
  priority: Priority;
  started_at: string;
  finished_at: string | null;
  elapsed_seconds: number;
  /** Confirmed by the broker. */
  sent: number;
  failed: number;
  in_flight: number;
  /** `sent / elapsed_seconds`. */
  actual_rate_per_second: number;
}

/** Raised when a run is asked for while the allowed number already run. */
export class LoadConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LoadConflictError";
  }
}

/** Sends one message; rejects when it was not confirmed. */
export type LoadSend = (priority: Priority) => Promise<unknown>;

const TICK_MS = 20;
const MAX_IN_FLIGHT = 2000;
const KEEP_FINISHED = 20;

interface Run {
  view: LoadRunView;
  spec: LoadSpec;
  started: number;
  issued: number;
  timer: ReturnType<typeof setInterval> | undefined;
}

/** The runs of one producer; nothing runs until `start`. */
export class LoadRuns {
  readonly #runs = new Map<string, Run>();
  readonly #maxRuns: number;

  constructor(options: { maxRuns: number }) {
    this.#maxRuns = options.maxRuns;
  }

  /** Starts a run; without `concurrent`, only when no other run is going. */
  start(spec: LoadSpec, send: LoadSend, options: { concurrent: boolean }): LoadRunView {
    const running = [...this.#runs.values()].filter((run) => run.timer !== undefined);
    if (running.length > 0 && !options.concurrent) {
      throw new LoadConflictError(
        `A load run is already going ("${running[0]?.view.id}"): stop it or set "concurrent": true`,
      );
    }
    if (running.length >= this.#maxRuns) {
      throw new LoadConflictError(`At most ${this.#maxRuns} load runs may go at once`);
    }
    const run: Run = {
      spec,
      started: performance.now(),
      issued: 0,
      timer: undefined,
      view: {
        id: crypto.randomUUID(),
        status: "running",
        duration_seconds: spec.durationSeconds,
        messages_per_second: spec.messagesPerSecond,
        priority: spec.priority,
        started_at: new Date().toISOString(),
        finished_at: null,
        elapsed_seconds: 0,
        sent: 0,
        failed: 0,
        in_flight: 0,
        actual_rate_per_second: 0,
      },
    };
    run.timer = setInterval(() => this.#tick(run, send), TICK_MS);
    this.#runs.set(run.view.id, run);
    this.#forgetOldRuns();
    return this.get(run.view.id) as LoadRunView;
  }

  /** A run's progress, or `undefined` for an unknown id. */
  get(id: string): LoadRunView | undefined {
    const run = this.#runs.get(id);
    if (run === undefined) return undefined;
    if (run.timer !== undefined) run.view.elapsed_seconds = this.#elapsed(run);
    const elapsed = run.view.elapsed_seconds;
    run.view.actual_rate_per_second = elapsed > 0 ? round(run.view.sent / elapsed) : 0;
    return { ...run.view };
  }

  /** Stops a run; its in-flight messages still settle. `undefined` for an unknown id. */
  stop(id: string): LoadRunView | undefined {
    const run = this.#runs.get(id);
    if (run !== undefined && run.timer !== undefined) this.#finish(run, "stopped");
    return this.get(id);
  }

  /** Stops every run, e.g. on shutdown. */
  stopAll(): void {
    for (const run of this.#runs.values()) {
      if (run.timer !== undefined) this.#finish(run, "stopped");
    }
  }

  #tick(run: Run, send: LoadSend): void {
    const elapsed = Math.min(this.#elapsed(run), run.spec.durationSeconds);
    const due = Math.floor(elapsed * run.spec.messagesPerSecond);
    while (run.issued < due && run.view.in_flight < MAX_IN_FLIGHT) {
      run.issued += 1;
      run.view.in_flight += 1;
      send(run.spec.priority).then(
        () => run.view.sent += 1,
        () => run.view.failed += 1,
      ).finally(() => run.view.in_flight -= 1);
    }
    if (elapsed >= run.spec.durationSeconds && run.issued >= due) this.#finish(run, "completed");
  }

  #finish(run: Run, status: "completed" | "stopped"): void {
    clearInterval(run.timer);
    run.timer = undefined;
    run.view.elapsed_seconds = Math.min(this.#elapsed(run), run.spec.durationSeconds);
    run.view.status = status;
    run.view.finished_at = new Date().toISOString();
  }

  #elapsed(run: Run): number {
    return round((performance.now() - run.started) / 1000);
  }

  #forgetOldRuns(): void {
    const finished = [...this.#runs.values()].filter((run) => run.timer === undefined);
    for (const run of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) {
      this.#runs.delete(run.view.id);
    }
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
