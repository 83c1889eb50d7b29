/**
 * The critical path of a trace, the way Jaeger UI computes it: walk back from the root's end,
 * always into the child that finished last before the current point; time no child covers is on
 * the path of the span itself. Children are first clipped to their parent, and a child that
 * starts after its parent ended is left out, as Jaeger does.
 *
 * Unlike Jaeger, a message's processing counts: a CONSUMER span under its PRODUCER parent (marked
 * `async`) is kept whole though it ends after the send, and a span reaches as far as the latest of
 * its own end and its asynchronous descendants' ends, so in a message trace the path runs from the
 * request through the send into the consumer's work, which usually ends the trace.
 */

/** The timing of one span, in µs. */
export interface TimedSpan {
  spanId: string;
  parentSpanId: string;
  startUs: number;
  endUs: number;
  /** Processing that follows its parent (a CONSUMER under a PRODUCER) rather than part of it. */
  async?: boolean;
}

/** A stretch of one span's time on the critical path, in µs. */
export interface CriticalSection {
  spanId: string;
  startUs: number;
  endUs: number;
}

/** The sections of the critical path that starts at `rootId`, latest first. */
export function criticalPath(spans: readonly TimedSpan[], rootId: string): CriticalSection[] {
  const byId = new Map(spans.map((span) => [span.spanId, { ...span }]));
  const children = new Map<string, TimedSpan[]>();
  /** How far each kept span reaches: its end, or a later end of an asynchronous descendant. */
  const reach = new Map<string, number>();
  const clip = (parentId: string): number => {
    const parent = byId.get(parentId)!;
    reach.set(parentId, parent.endUs); // also marks it seen, so a malformed cycle ends here
    const kept: TimedSpan[] = [];
    for (const span of spans) {
      if (span.parentSpanId !== parentId || reach.has(span.spanId)) continue;
      const child = byId.get(span.spanId)!;
      if (!child.async) {
        if (child.startUs > parent.endUs || child.endUs < parent.startUs) continue;
        child.startUs = Math.max(child.startUs, parent.startUs);
        child.endUs = Math.min(child.endUs, parent.endUs);
      }
      kept.push(child);
    }
    children.set(parentId, kept);
    const reached = Math.max(parent.endUs, ...kept.map((child) => clip(child.spanId)));
    reach.set(parentId, reached);
    return reached;
  };
  if (!byId.has(rootId)) return [];
  clip(rootId);
  const reachOf = (span: TimedSpan) => reach.get(span.spanId) ?? span.endUs;

  const sections: CriticalSection[] = [];
  let currentId: string | undefined = rootId;
  let before: number | undefined;
  // Every step either descends or climbs while moving `before` back, so this ends; the cap guards
  // against a malformed tree.
  for (let step = 0; currentId !== undefined && step < spans.length * 4 + 4; step++) {
    const span = byId.get(currentId);
    if (span === undefined) break;
    const end = before ?? reachOf(span);
    // Coming back up from a child, only children that ended before it started count.
    const climbing = before !== undefined;
    const last: TimedSpan | undefined = (children.get(currentId) ?? [])
      .filter((child) => (climbing ? reachOf(child) < end : reachOf(child) <= end))
      .reduce<TimedSpan | undefined>(
        (a, b) => (a === undefined || reachOf(b) > reachOf(a) ? b : a),
        undefined,
      );
    // A span's own stretches stop at its end: after it, a message waits in the broker.
    const own = (startUs: number, endUs: number) => {
      const until = Math.min(endUs, span.endUs);
      if (startUs < until) sections.push({ spanId: span.spanId, startUs, endUs: until });
    };
    if (last !== undefined) {
      own(reachOf(last), end);
      currentId = last.spanId;
      before = undefined;
      continue;
    }
    own(span.startUs, end);
    if (currentId === rootId) break;
    before = span.startUs;
    currentId = span.parentSpanId;
  }
  return sections;
}
