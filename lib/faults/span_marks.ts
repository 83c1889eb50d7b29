/**
 * How a fault shows in the trace: the span it touches carries `fault.name` and an event `fault`
 * with its parameters. A fault that slows or fails the next span a library starts (a query, a
 * publish) hands it over in the context: that span then starts when the fault's wait began, so the
 * wait is inside it, as a slow database's would be, and fails with the fault's error.
 */
import {
  type Attributes,
  type Context,
  context,
  createContextKey,
  type Span,
  trace,
} from "@opentelemetry/api";
import type { DrawnDelay } from "./registry.ts";

/** One fault's mark on a span: its name and the attributes of its event. */
export interface FaultMark {
  name: string;
  /** Event attributes without the `fault.` prefix: `{ delay_ms: 300, applied_delay_ms: 312 }`. */
  parameters: Readonly<Record<string, number | string | boolean>>;
}

/** Faults handed to the next span a library starts in this context. */
export interface HeldFaults {
  /** When the faults' wait began (epoch milliseconds): the span's start time. */
  startTime: number;
  marks: FaultMark[];
  /** The error the call fails with instead of doing its work. */
  failure?: Error;
  /** Set once a span took them, so a second query of the same call is not marked too. */
  taken: boolean;
}

const HELD_FAULTS = createContextKey("distributed-tracing.held-faults");

/** Sets `fault.name` (the last mark's) and one `fault` event per mark on `span`. */
export function markSpan(span: Span, marks: readonly FaultMark[]): void {
  if (!span.isRecording()) return;
  for (const mark of marks) {
    const attributes: Attributes = { "fault.name": mark.name };
    for (const [key, value] of Object.entries(mark.parameters)) attributes[`fault.${key}`] = value;
    span.addEvent("fault", attributes);
    span.setAttribute("fault.name", mark.name);
  }
}

/** Marks the active span, if any (the server span of a request, the CONSUMER span of a message). */
export function markActiveSpan(mark: FaultMark): void {
  const span = trace.getActiveSpan();
  if (span !== undefined) markSpan(span, [mark]);
}

/** Runs `work` with `held` handed to the first span a library starts inside it. */
export function withHeldFaults<T>(held: HeldFaults, work: () => T): T {
  return context.with(context.active().setValue(HELD_FAULTS, held), work);
}

/**
 * The faults held for the span about to start in `from`, once: later spans of the same call get
 * `undefined`. Libraries call this before `startSpan` and pass `startTime` on.
 */
export function takeHeldFaults(from: Context = context.active()): HeldFaults | undefined {
  const held = from.getValue(HELD_FAULTS) as HeldFaults | undefined;
  if (held === undefined || held.taken) return undefined;
  held.taken = true;
  return held;
}

/** Now, in epoch milliseconds with sub-millisecond precision, as span start times take it. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The mark of a delay fault: its parameters and the delay it drew for this call. */
export function delayMark(name: string, drawn: DrawnDelay): FaultMark {
  return {
    name,
    parameters: { delay_ms: drawn.delayMs, jitter_ms: drawn.jitterMs, applied_delay_ms: drawn.ms },
  };
}

/** Waits `ms` milliseconds: the delay itself. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
