/** Reads what a running service reports about itself: span pipeline counters and metrics. */
import type { SpanPipelineStats } from "../lib/telemetry/stats.ts";
import { delay } from "./process.ts";
import type { CumulativeBuckets } from "./stats.ts";

/** The span counters on `/health`; `undefined` in untraced or Deno mode. */
export async function readSpanStats(url: string): Promise<SpanPipelineStats | undefined> {
  const response = await fetch(`${url}/health`);
  const body = await response.json() as { telemetry?: { spans?: SpanPipelineStats | null } };
  return body.telemetry?.spans ?? undefined;
}

/** The log record counters on `/health`; `undefined` unless the service ships logs. */
export async function readLogStats(url: string): Promise<SpanPipelineStats | undefined> {
  const response = await fetch(`${url}/health`);
  const body = await response.json() as { telemetry?: { logs?: SpanPipelineStats | null } };
  return body.telemetry?.logs ?? undefined;
}

/** Spans created so far: exported, failed, dropped and still queued. */
export function spansCreated(stats: SpanPipelineStats): number {
  return stats.exported + stats.exportFailed + stats.dropped + stats.queued;
}

/** Waits (at most `timeoutMs`) until the batch queue is empty, then returns the counters. */
export async function settledSpanStats(
  url: string,
  timeoutMs = 5000,
): Promise<SpanPipelineStats | undefined> {
  const deadline = performance.now() + timeoutMs;
  let stats = await readSpanStats(url);
  while (stats !== undefined && stats.queued > 0 && performance.now() < deadline) {
    await delay(100);
    stats = await readSpanStats(url);
  }
  return stats;
}

/** The Prometheus text of `/metrics`. */
export async function readMetrics(url: string): Promise<string> {
  return await (await fetch(`${url}/metrics`)).text();
}

/** Sum of a counter's samples whose labels contain `match` (e.g. `outcome="processed"`). */
export function counterValue(metrics: string, name: string, match = ""): number {
  let total = 0;
  for (const line of metrics.split("\n")) {
    if (!line.startsWith(name) || !line.includes(match)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== " " && rest[0] !== "{") continue;
    total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

/** A histogram's cumulative buckets, summed over the label sets that contain `match`. */
export function histogramBuckets(metrics: string, name: string, match = ""): CumulativeBuckets {
  const byLe = new Map<number, number>();
  const prefix = `${name}_bucket{`;
  for (const line of metrics.split("\n")) {
    if (!line.startsWith(prefix) || !line.includes(match)) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (le === undefined) continue;
    const bound = le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le);
    byLe.set(bound, (byLe.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  const le = [...byLe.keys()].sort((a, b) => a - b);
  return { le, counts: le.map((bound) => byLe.get(bound)!) };
}
