/**
 * Sheds spans at the sampler while the export pipeline cannot take them.
 *
 * A span that the batch queue drops, or that an exporter with a dead endpoint fails to deliver,
 * costs as much to record as one that arrives. So when the queue overflows or an export fails, new
 * traces are not recorded at all (a cheap non-recording span that still propagates context) until
 * the pipeline recovers: after a queue overflow, until exports have drained the queue to half
 * full (opening at the first successful export would refill it at once and drop the spans then in
 * flight); after a failed export, for a backoff that doubles up to a limit, then a few probe spans
 * go through and the next export result decides. Every shed local root span is counted; the
 * spans under it are not recorded either, and not counted. Whole traces are shed, never parts of
 * one: a child of a span this process records is always recorded.
 */
import {
  type Attributes,
  type Context,
  type Link,
  type SpanKind,
  trace,
  TraceFlags,
} from "@opentelemetry/api";
import { type Sampler, SamplingDecision, type SamplingResult } from "@opentelemetry/sdk-trace";

/** Tuning of `ExportGate`. */
export interface ExportGateOptions {
  /** First pause after a failed export. */
  initialBackoffMs?: number;
  /** Longest pause after repeated failures. */
  maxBackoffMs?: number;
  /** Spans let through to probe the endpoint after a pause (about one export batch). */
  probeSpans?: number;
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
  readonly #now: () => number;
  #state: GateState = { kind: "open" };
  #backoffMs: number;
  #shed = 0;

  constructor(options: ExportGateOptions = {}) {
    this.#initialBackoffMs = options.initialBackoffMs ?? 1000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.#probeSpans = options.probeSpans ?? 512;
    this.#now = options.now ?? Date.now;
    this.#backoffMs = this.#initialBackoffMs;
  }

  /** Local root spans not recorded because the gate was shut. */
  get shed(): number {
    return this.#shed;
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
      this.#state = { kind: "probing", budget: this.#probeSpans };
      return this.admit();
    }
    if (state.budget <= 0) return this.#refuse();
    state.budget--;
    return true;
  }

  /** The batch queue was full and dropped a span: stop until an export drains it. */
  onQueueFull(): void {
    if (this.#state.kind === "open") this.#state = { kind: "shedding", retryAt: 0 };
  }

  /** An export finished; `queueFill` is how full the batch queue is now, from 0 to 1. */
  onExportResult(ok: boolean, queueFill = 0): void {
    if (ok) {
      this.#backoffMs = this.#initialBackoffMs;
      this.#state = queueFill <= REOPEN_BELOW_FILL
        ? { kind: "open" }
        : { kind: "shedding", retryAt: 0 };
      return;
    }
    // Several exports may fail in a row from one outage; only the first one in a pause backs off.
    if (this.#state.kind === "shedding" && this.#state.retryAt > this.#now()) return;
    this.#state = { kind: "shedding", retryAt: this.#now() + this.#backoffMs };
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#maxBackoffMs);
  }

  #refuse(): false {
    this.#shed++;
    return false;
  }
}

const NOT_RECORDED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

/** Asks `inner` first; a span it would record starts only if `gate` admits it. */
export class GatedSampler implements Sampler {
  readonly #inner: Sampler;
  readonly #gate: ExportGate;

  constructor(inner: Sampler, gate: ExportGate) {
    this.#inner = inner;
    this.#gate = gate;
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const result = this.#inner.shouldSample(
      context,
      traceId,
      spanName,
      spanKind,
      attributes,
      links,
    );
    if (result.decision === SamplingDecision.NOT_RECORD) return result;
    if (this.#gate.isOpen || hasLocalSampledParent(context)) return result;
    return this.#gate.admit() ? result : NOT_RECORDED;
  }

  toString(): string {
    return `Gated{${this.#inner.toString()}}`;
  }
}

/** A parent started in this process and sampled was recorded here: keep its trace whole. */
function hasLocalSampledParent(context: Context): boolean {
  const parent = trace.getSpanContext(context);
  return parent !== undefined && parent.isRemote !== true &&
    (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
}
