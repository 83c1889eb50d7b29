/**
 * Tail sampling: a trace's spans are held for `decisionWaitMs` after its first span arrives, then
 * the whole trace is kept or dropped. Kept always: traces with an ERROR span or a span at least
 * `latencyThresholdMs` long. Of the rest, a `ratio` is kept (decided by trace id, so every
 * instance agrees), at most `maxTracesPerSecond` a second. Spans arriving after the decision
 * follow it. With the defaults (ratio 1, no cap) nothing is held: spans pass straight through.
 */
import { durationMicros, isError, type SpanRecord } from "../span_model.ts";

/** The sampling knobs (see ../config.ts for their variables). */
export interface SamplingOptions {
  ratio: number;
  maxTracesPerSecond: number;
  latencyThresholdMs: number;
  decisionWaitMs: number;
}

/** Why a trace was dropped. */
export type DropReason = "ratio" | "rate_limit";

/** The tail sampler. */
export interface TailSampler {
  /** Takes spans of any traces; kept spans reach `keep` now or after the decision wait. */
  offer(spans: readonly SpanRecord[]): void;
  /** Spans held, waiting for a decision. */
  held(): number;
  /** Decides every held trace now (on shutdown). */
  flush(): void;
  close(): void;
}

/** Where decided spans go. */
export interface SamplerSinks {
  keep(spans: readonly SpanRecord[]): void;
  drop(spans: readonly SpanRecord[], reason: DropReason): void;
}

const MAX_DECISIONS = 100_000;
const MAX_HELD_SPANS = 200_000;

/** Creates a sampler; `now` is injectable for tests. */
export function createTailSampler(
  options: SamplingOptions,
  sinks: SamplerSinks & { now?: () => number },
): TailSampler {
  const now = sinks.now ?? Date.now;
  const passThrough = options.ratio >= 1 && options.maxTracesPerSecond <= 0;
  const pending = new Map<string, { spans: SpanRecord[]; since: number }>();
  const decided = new Map<string, boolean>();
  let heldSpans = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let bucket = { second: 0, kept: 0 };

  const remember = (traceId: string, keep: boolean) => {
    decided.set(traceId, keep);
    if (decided.size > MAX_DECISIONS) decided.delete(decided.keys().next().value as string);
  };
  const decide = (traceId: string, spans: SpanRecord[]): void => {
    const thresholdUs = options.latencyThresholdMs * 1000;
    const important = spans.some((s) => isError(s) || durationMicros(s) >= thresholdUs);
    let reason: DropReason | undefined;
    if (!important) {
      if (ratioValue(traceId) >= options.ratio) reason = "ratio";
      else if (options.maxTracesPerSecond > 0) {
        const second = Math.floor(now() / 1000);
        if (bucket.second !== second) bucket = { second, kept: 0 };
        if (bucket.kept >= options.maxTracesPerSecond) reason = "rate_limit";
        else bucket.kept++;
      }
    }
    remember(traceId, reason === undefined);
    if (reason === undefined) sinks.keep(spans);
    else sinks.drop(spans, reason);
  };
  const tick = (force: boolean): void => {
    const cutoff = now() - options.decisionWaitMs;
    for (const [traceId, entry] of pending) {
      if (!force && entry.since > cutoff && heldSpans <= MAX_HELD_SPANS) break;
      pending.delete(traceId);
      heldSpans -= entry.spans.length;
      decide(traceId, entry.spans);
    }
    if (pending.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    offer(spans) {
      if (passThrough) return sinks.keep(spans);
      for (const span of spans) {
        const earlier = decided.get(span.traceId);
        if (earlier !== undefined) {
          if (earlier) sinks.keep([span]);
          else sinks.drop([span], "ratio");
          continue;
        }
        const entry = pending.get(span.traceId);
        if (entry === undefined) pending.set(span.traceId, { spans: [span], since: now() });
        else entry.spans.push(span);
        heldSpans++;
      }
      if (pending.size > 0 && timer === undefined) {
        const period = Math.max(10, Math.min(250, options.decisionWaitMs / 4));
        timer = setInterval(() => tick(false), period);
      }
      if (heldSpans > MAX_HELD_SPANS) tick(false);
    },
    held: () => heldSpans,
    flush: () => tick(true),
    close: () => tick(true),
  };
}

/** A trace id's position in [0, 1), from its last 8 hex digits (random in W3C ids). */
function ratioValue(traceId: string): number {
  return parseInt(traceId.slice(-8), 16) / 0x1_0000_0000;
}
