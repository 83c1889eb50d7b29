/**
 * The warnings of jaeger-query's clock-skew adjuster, which Jaeger runs on every trace it serves
 * (unless raw traces are asked for). With its default `max_clock_skew_adjust` of 0 it moves no
 * span, but a span that does not fit into its parent still gets "clock skew adjustment disabled;
 * not applying calculated delta of <Go duration>"; a span whose parent is missing or whose id is
 * taken gets a warning too. Transcribed from Jaeger v2.12.0
 * (cmd/query/app/querysvc/internal/adjuster/clockskew.go for the v1 API, .../v2/adjuster for v3).
 */
import type { SpanRecord } from "../span_model.ts";

/** The API whose wording the warnings follow. */
export type JaegerApi = "v1" | "v3";

interface SkewNode {
  span: SpanRecord;
  start: bigint;
  duration: bigint;
  hostKey: string;
  children: SkewNode[];
}

/** Warnings by span id, in the order Jaeger adds them. */
export function clockSkewWarnings(
  spans: readonly SpanRecord[],
  api: JaegerApi,
): Map<string, string[]> {
  const warnings = new Map<string, string[]>();
  const warn = (span: SpanRecord, text: string) =>
    warnings.set(span.spanId, [...warnings.get(span.spanId) ?? [], text]);
  const nodes = new Map<string, SkewNode>();
  for (const span of spans) {
    if (nodes.has(span.spanId)) {
      warn(span, "duplicate span IDs; skipping clock skew adjustment");
      continue;
    }
    const start = BigInt(span.startTimeUnixNano);
    nodes.set(span.spanId, {
      span,
      start,
      duration: BigInt(span.endTimeUnixNano) - start,
      hostKey: hostKey(span, api),
      children: [],
    });
  }
  const roots: SkewNode[] = [];
  for (const node of nodes.values()) {
    if (node.span.parentSpanId === "") {
      roots.push(node);
      continue;
    }
    const parent = nodes.get(node.span.parentSpanId);
    if (parent !== undefined) {
      parent.children.push(node);
      continue;
    }
    warn(
      node.span,
      api === "v1"
        ? `invalid parent span IDs=${node.span.parentSpanId}; skipping clock skew adjustment`
        : `parent span ID=${node.span.parentSpanId} is not in the trace; skipping clock skew adjustment`,
    );
    roots.push(node);
  }
  const visit = (node: SkewNode, parent: SkewNode | undefined, skew: Skew) => {
    if ((node.hostKey !== skew.hostKey || node.hostKey === "") && parent !== undefined) {
      skew = { hostKey: node.hostKey, delta: calculateSkew(node, parent) };
    }
    if (skew.delta !== 0n) {
      warn(
        node.span,
        `clock skew adjustment disabled; not applying calculated delta of ${
          goDuration(skew.delta)
        }`,
      );
    }
    for (const child of node.children) visit(child, node, skew);
  };
  for (const root of roots) visit(root, undefined, { hostKey: root.hostKey, delta: 0n });
  return warnings;
}

interface Skew {
  hostKey: string;
  delta: bigint;
}

/**
 * The host a span ran on: for v1 the process's `ip` tag; for v3 the resource's `host.id`, else
 * `host.ip` (the first of a list), else `host.name`. Spans of one host share the parent's skew.
 */
function hostKey(span: SpanRecord, api: JaegerApi): string {
  const value = (key: string) => span.resource.find((kv) => kv.key === key)?.value;
  if (api === "v1") {
    const ip = value("ip");
    return ip?.stringValue ?? (ip?.intValue === undefined ? "" : ipv4(Number(ip.intValue)));
  }
  const id = value("host.id")?.stringValue;
  if (id !== undefined) return id;
  const ip = value("host.ip");
  if (ip?.stringValue !== undefined) return ip.stringValue;
  const first = ip?.arrayValue?.values?.[0];
  if (first !== undefined) return first.stringValue ?? String(first.intValue ?? "");
  return value("host.name")?.stringValue ?? "";
}

function ipv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join(".");
}

function calculateSkew(child: SkewNode, parent: SkewNode): bigint {
  const parentEnd = parent.start + parent.duration;
  const childEnd = child.start + child.duration;
  if (child.duration > parent.duration) {
    return child.start < parent.start ? parent.start - child.start : 0n;
  }
  if (child.start >= parent.start && childEnd <= parentEnd) return 0n;
  // Go's integer division truncates toward zero, as BigInt's does.
  const latency = (parent.duration - child.duration) / 2n;
  return parent.start + latency - child.start;
}

/** A duration in nanoseconds as Go's `time.Duration.String()` writes it: `-541.745µs`, `1m2.5s`. */
export function goDuration(nanos: bigint): string {
  if (nanos === 0n) return "0s";
  const sign = nanos < 0n ? "-" : "";
  let rest = nanos < 0n ? -nanos : nanos;
  if (rest < 1000n) return `${sign}${rest}ns`;
  if (rest < 1_000_000n) return `${sign}${decimal(rest, 1000n)}µs`;
  if (rest < 1_000_000_000n) return `${sign}${decimal(rest, 1_000_000n)}ms`;
  const hours = rest / 3_600_000_000_000n;
  rest %= 3_600_000_000_000n;
  const minutes = rest / 60_000_000_000n;
  rest %= 60_000_000_000n;
  const head = hours > 0n ? `${hours}h${minutes}m` : minutes > 0n ? `${minutes}m` : "";
  return `${sign}${head}${decimal(rest, 1_000_000_000n)}s`;
}

/** `value / unit` in decimal, without trailing zeros. */
function decimal(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const fraction = value % unit;
  if (fraction === 0n) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(fraction).padStart(digits, "0").replace(/0+$/, "")}`;
}
