/**
 * The critical path of a trace, the way Jaeger UI computes it: walk back from the root's end,
 * always into the child that finished last before the current point; time no child covers is on
 * the path of the span itself. Children are first clipped to their parent, and a child that
 * starts after its parent ended (an asynchronous consumer) is left out, as Jaeger does.
 */

/** The timing of one span, in µs. */
export interface TimedSpan {
  spanId: string;
  parentSpanId: string;
  startUs: number;
  endUs: number;
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
  const clip = (parentId: string) => {
    const parent = byId.get(parentId);
    if (parent === undefined) return;
    const kept: TimedSpan[] = [];
    for (const span of spans) {
      if (span.parentSpanId !== parentId || span.spanId === parentId) continue;
      const child = byId.get(span.spanId)!;
      if (child.startUs > parent.endUs || child.endUs < parent.startUs) continue;
      child.startUs = Math.max(child.startUs, parent.startUs);
      child.endUs = Math.min(child.endUs, parent.endUs);
      kept.push(child);
      children.set(parentId, kept);
    }
    for (const child of kept) clip(child.spanId);
  };
  clip(rootId);

  const sections: CriticalSection[] = [];
  let currentId: string | undefined = rootId;
  let before: number | undefined;
  // Every step either descends or climbs while moving `before` back, so this ends; the cap guards
  // against a malformed tree.
  for (let step = 0; currentId !== undefined && step < spans.length * 4 + 4; step++) {
    const span = byId.get(currentId);
    if (span === undefined) break;
    const end = before ?? span.endUs;
    // Coming back up from a child, only children that ended before it started count.
    const climbing = before !== undefined;
    const last: TimedSpan | undefined = (children.get(currentId) ?? [])
      .filter((child) => (climbing ? child.endUs < end : child.endUs <= end))
      .reduce<TimedSpan | undefined>(
        (a, b) => (a === undefined || b.endUs > a.endUs ? b : a),
        undefined,
      );
    if (last !== undefined) {
      if (last.endUs < end) sections.push({ spanId: currentId, startUs: last.endUs, endUs: end });
      currentId = last.spanId;
      before = undefined;
      continue;
    }
    if (span.startUs < end) sections.push({ spanId: currentId, startUs: span.startUs, endUs: end });
    if (currentId === rootId) break;
    before = span.startUs;
    currentId = span.parentSpanId;
  }
  return sections;
}
