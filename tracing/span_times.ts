/**
 * The one rule for span times, at every entrance (OTLP in both encodings, the span API, the
 * write-ahead log's replay): a span starts no earlier than 2000-01-01T00:00:00Z and neither
 * starts nor ends more than a day after the service's clock. Anything else is rejected, never
 * clamped: a clamped time would be a made-up one. Within these bounds every time, and so every
 * duration, fits the store's integer columns as microseconds (2^53 µs is in the year 2255).
 * A search without an explicit end stops at the same upper bound.
 */

/** The earliest accepted start, in epoch ms. */
export const EARLIEST_SPAN_MS = Date.UTC(2000, 0, 1);
/** How far after the service's clock a span may start or end. */
export const MAX_AHEAD_MS = 24 * 3600_000;

/** The accepted bounds as canonical nanosecond strings, for comparing without BigInt. */
export interface SpanTimeBounds {
  earliestNs: string;
  latestNs: string;
}

/** The bounds at `nowMs`. */
export function spanTimeBounds(nowMs: number): SpanTimeBounds {
  return {
    earliestNs: String(BigInt(EARLIEST_SPAN_MS) * 1_000_000n),
    latestNs: String(BigInt(Math.floor(nowMs + MAX_AHEAD_MS)) * 1_000_000n),
  };
}

/** The latest start a search without an explicit end looks at, in µs. */
export function searchEndMicros(nowMs: number): number {
  return (nowMs + MAX_AHEAD_MS) * 1000;
}

/**
 * Why a span with these canonical nanosecond times is refused, or `undefined` when it is not.
 * The message quotes the time and the bound it passed.
 */
export function spanTimeProblem(
  span: { startTimeUnixNano: string; endTimeUnixNano: string },
  bounds: SpanTimeBounds,
): string | undefined {
  for (const [name, time] of [["start", span.startTimeUnixNano], ["end", span.endTimeUnixNano]]) {
    const problem = timeProblem(time!, bounds);
    if (problem !== undefined) return `Span ${name} ${describe(time!)} is ${problem}`;
  }
  return undefined;
}

/** Why one time (decimal nanoseconds, a sign allowed) is out of bounds, or `undefined`. */
export function timeProblem(nanos: string, bounds: SpanTimeBounds): string | undefined {
  if (nanos.startsWith("-") || before(nanos, bounds.earliestNs)) {
    return "before 2000-01-01T00:00:00Z";
  }
  if (before(bounds.latestNs, nanos)) {
    return `more than a day after the service's clock (${describe(bounds.latestNs)} at the latest)`;
  }
  return undefined;
}

/** `a < b` for canonical decimal strings (no sign, no leading zeros). */
function before(a: string, b: string): boolean {
  return a.length !== b.length ? a.length < b.length : a < b;
}

/** A nanosecond time as RFC 3339 where a date can show it, else as the number given. */
function describe(nanos: string): string {
  const ms = Number(nanos.slice(0, -6) || "0");
  const date = new Date(ms);
  return /^\d+$/.test(nanos) && Number.isFinite(date.getTime()) && ms < 1e14
    ? `"${date.toISOString()}" (${nanos} ns)`
    : `"${nanos}" ns`;
}

/** Spans whose times pass the rule, how many did not and the first reason. */
export interface PlausibleSpans<T> {
  kept: T[];
  rejected: number;
  firstError: string | undefined;
}

/** Keeps the spans whose times pass the rule at `nowMs`; `spans` itself when all do. */
export function keepPlausibleSpans<
  T extends { startTimeUnixNano: string; endTimeUnixNano: string },
>(
  spans: T[],
  nowMs: number,
): PlausibleSpans<T> {
  const bounds = spanTimeBounds(nowMs);
  const out: PlausibleSpans<T> = { kept: spans, rejected: 0, firstError: undefined };
  for (let i = 0; i < spans.length; i++) {
    const problem = spanTimeProblem(spans[i]!, bounds);
    if (problem === undefined) {
      if (out.rejected > 0) out.kept.push(spans[i]!);
      continue;
    }
    // The first refusal: what passed so far is copied, the rest follows one by one.
    if (out.rejected === 0) out.kept = spans.slice(0, i);
    out.rejected++;
    out.firstError ??= problem;
  }
  return out;
}
