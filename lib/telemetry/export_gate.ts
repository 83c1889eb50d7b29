/**
 * Decides when this process stops recording new traces because its export pipeline cannot take
 * their spans, and when it starts again.
 *
 * A span that the batch queue drops, or that an exporter with a dead endpoint fails to deliver,
 * costs as much to record as one that arrives. So when the queue overflows or an export fails,
 * new traces are shed (`Level2Tracer` gives them a `ShedSpan`: nothing recorded, the sampled
 * flag unchanged downstream) until the pipeline recovers:
 * - after a queue overflow, until exports have drained the queue to half full (opening at the
 *   first successful export would refill it at once and drop the spans then in flight);
 * - after a failed export, until a probe (an empty export request, `export_probe.ts`) succeeds.
 *   Probes go out after a pause of 250 ms that doubles up to `maxBackoffMs` (1 s), so a
 *   collector that answers again is seen within about a second, whatever the length of the
 *   outage. Without a probe, the pause is followed by a few probe spans, and the next export
 *   result decides.
 * Probes are sent only when a span asks to start: a process without traffic has nothing to shed.
 * Whole traces are shed, never parts of one: a child of a span this process records is always
 * recorded. Every shed local root span is counted.
 */

/** Tuning of `ExportGate`. */
export interface ExportGateOptions {
  /** First pause after a failed export. */
  initialBackoffMs?: number;
  /** Longest pause after repeated failures: how long a recovered collector may go unnoticed. */
  maxBackoffMs?: number;
  /** Without `probe`: spans let through to test the endpoint after a pause (about one batch). */
  probeSpans?: number;
  /** Asks the endpoint whether it takes exports again; resolves `true` when it does. */
  probe?: () => Promise<boolean>;
  /** How full the batch queue is, from 0 to 1, for a successful probe to weigh. */
  queueFill?: () => number;
  /** Clock, for tests. */
  now?: () => number;
}

/** How full the batch queue may be for a successful export to open the gate. */
const REOPEN_BELOW_FILL = 0.5;

type GateState =
  | { kind: "open" }
  /** No new traces until `retryAt` (epoch ms), or until the next export result when 0. */
  | { kind: "shedding"; retryAt: number }
  /** `budget` more spans may start; then none until the next export result. */
  | { kind: "probing"; budget: number };

/** Decides whether new traces are recorded, from what the export pipeline reports. */
export class ExportGate {
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #probeSpans: number;
  readonly #probe: (() => Promise<boolean>) | undefined;
  readonly #queueFill: () => number;
  readonly #now: () => number;
  #state: GateState = { kind: "open" };
  #backoffMs: number;
  #probing = false;
  #failing = false;
  #shed = 0;
  #bridged = 0;
  #probes = 0;

  constructor(options: ExportGateOptions = {}) {
    this.#initialBackoffMs = options.initialBackoffMs ?? 250;
    this.#maxBackoffMs = options.maxBackoffMs ?? 1000;
    this.#probeSpans = options.probeSpans ?? 512;
    this.#probe = options.probe;
    this.#queueFill = options.queueFill ?? (() => 0);
    this.#now = options.now ?? Date.now;
    this.#backoffMs = this.#initialBackoffMs;
  }

  /** Local root spans not recorded because the gate was shut: traces shed, seen from here. */
  get shed(): number {
    return this.#shed;
  }

  /** Spans of shed traces recorded after all because their context was sent on. */
  get bridged(): number {
    return this.#bridged;
  }

  /** Probe requests sent while shedding after failed exports. */
  get probes(): number {
    return this.#probes;
  }

  /**
   * Whether the last export (or probe) failed: nothing recorded now could be delivered until the
   * endpoint answers again, so shed traces record no bridge spans either.
   */
  get exportsFailing(): boolean {
    return this.#failing;
  }

  /** Whether the gate lets every new trace through right now. */
  get isOpen(): boolean {
    return this.#state.kind === "open";
  }

  /** Called for a new trace (or a remote parent's child) the sampler would record. */
  admit(): boolean {
    const state = this.#state;
    if (state.kind === "open") return true;
    if (state.kind === "shedding") {
      if (state.retryAt === 0 || this.#now() < state.retryAt) return this.#refuse();
      if (this.#probe !== undefined) {
        this.#sendProbe(state);
        return this.#refuse();
      }
      this.#state = { kind: "probing", budget: this.#probeSpans };
      return this.admit();
    }
    if (state.budget <= 0) return this.#refuse();
    state.budget--;
    return true;
  }

  /** Counts a span recorded for a shed trace (see `ShedSpan`). */
  countBridge(): void {
    this.#bridged++;
  }

  /** The batch queue was full and dropped a span: stop until an export drains it. */
  onQueueFull(): void {
    if (this.#state.kind === "open") this.#state = { kind: "shedding", retryAt: 0 };
  }

  /** An export finished; `queueFill` is how full the batch queue is now, from 0 to 1. */
  onExportResult(ok: boolean, queueFill = 0): void {
    this.#failing = !ok;
    if (ok) {
      this.#backoffMs = this.#initialBackoffMs;
      this.#state = queueFill <= REOPEN_BELOW_FILL
        ? { kind: "open" }
        : { kind: "shedding", retryAt: 0 };
      return;
    }
    // Several exports may fail in a row from one outage; only the first one in a pause backs off.
    if (this.#state.kind === "shedding" && this.#state.retryAt > this.#now()) return;
    this.#pause();
  }

  #pause(): void {
    this.#state = { kind: "shedding", retryAt: this.#now() + this.#backoffMs };
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#maxBackoffMs);
  }

  #sendProbe(state: { retryAt: number }): void {
    if (this.#probing) return;
    this.#probing = true;
    this.#probes++;
    state.retryAt = this.#now() + this.#backoffMs;
    this.#probe!().catch(() => false).then((ok) => {
      this.#probing = false;
      // An export result that arrived meanwhile already decided.
      if (this.#state !== state) return;
      // Spans queued before the gate shut are still there: open only once they fit, as after an
      // overflow, or new spans would overflow the queue at once.
      if (ok) this.onExportResult(true, this.#queueFill());
      else this.#pause();
    });
  }

  #refuse(): false {
    this.#shed++;
    return false;
  }
}
