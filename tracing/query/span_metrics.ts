/**
 * Jaeger's SPM metrics computed from stored spans rather than Prometheus: for each point `t` of
 * `[endTs - lookback, endTs]` in steps, the spans that started in `[t - ratePer, t]` give the
 * call rate (calls/s), the error rate (errors/calls) and a latency quantile (ms, nearest rank).
 * Windows without calls have no latency or error rate: proto3 JSON writes that NaN as "NaN",
 * as Jaeger does, and Jaeger UI charts it as a gap. The numbers are those of `/api/v1/metrics`
 * for the same window.
 */
import type { MetricSpan } from "../store/query.ts";
import type { MetricsQuery, MetricType } from "./jaeger_metrics_params.ts";
import { nearestRankIndex } from "./trace_view.ts";

/** A value in proto3 JSON: a number, or the string "NaN" where there is none. */
export type DoubleJson = number | "NaN";

/** One series: its labels and points (Jaeger's `Metric`). */
export interface Metric {
  labels: { name: string; value: string }[];
  metricPoints: { gaugeValue: { doubleValue: DoubleJson }; timestamp: string }[];
}

/** Jaeger's `MetricFamily`, as `/api/metrics/*` answers it. */
export interface MetricFamily {
  name: string;
  type: "GAUGE";
  help: string;
  metrics: Metric[];
}

/** Computes one metric family from spans sorted by start time. */
export function metricFamily(
  type: MetricType,
  spans: readonly MetricSpan[],
  query: MetricsQuery,
): MetricFamily {
  const scope = query.groupByOperation ? "service_operation" : "service";
  const grouping = query.groupByOperation ? "grouped by service & operation" : "grouped by service";
  const family = {
    latencies: {
      name: `${scope}_latencies`,
      help: `${(query.quantile ?? 0).toFixed(2)}th quantile latency, ${grouping}`,
    },
    calls: { name: `${scope}_call_rate`, help: `calls/sec, ${grouping}` },
    errors: {
      name: `${scope}_error_rate`,
      help: `error rate, computed as a fraction of errors/sec over calls/sec, ${grouping}`,
    },
  }[type];
  const series = new Map<string, MetricSpan[]>();
  for (const span of spans) {
    const key = JSON.stringify(
      query.groupByOperation ? [span.service, span.operation] : [span.service],
    );
    const group = series.get(key);
    if (group === undefined) series.set(key, [span]);
    else group.push(span);
  }
  const metrics = [...series.entries()]
    .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    .map(([, group]): Metric => ({
      labels: query.groupByOperation
        ? [
          { name: "operation", value: group[0]!.operation },
          { name: "service_name", value: group[0]!.service },
        ]
        : [{ name: "service_name", value: group[0]!.service }],
      metricPoints: points(type, group, query),
    }));
  return { name: family.name, type: "GAUGE", help: family.help, metrics };
}

function points(
  type: MetricType,
  spans: readonly MetricSpan[],
  query: MetricsQuery,
): Metric["metricPoints"] {
  const out: Metric["metricPoints"] = [];
  const startMs = query.endMs - query.lookbackMs;
  let from = 0;
  let to = 0;
  for (let t = startMs; t <= query.endMs; t += query.stepMs) {
    // Both window edges only move forward, so each span is passed over twice in all.
    while (from < spans.length && spans[from]!.startUs < (t - query.ratePerMs) * 1000) from++;
    while (to < spans.length && spans[to]!.startUs <= t * 1000) to++;
    const window = spans.slice(from, Math.max(from, to));
    out.push({ gaugeValue: { doubleValue: value(type, window, query) }, timestamp: timestamp(t) });
  }
  return out;
}

function value(type: MetricType, window: readonly MetricSpan[], query: MetricsQuery): DoubleJson {
  if (type === "calls") return window.length / (query.ratePerMs / 1000);
  if (window.length === 0) return "NaN";
  if (type === "errors") return window.filter((span) => span.error).length / window.length;
  const durations = Float64Array.from(window, (span) => span.durationUs);
  return selectKth(durations, nearestRankIndex(durations.length, query.quantile ?? 0.95)) / 1000;
}

/**
 * The `k`-th smallest of `values` (reordered in place), by quickselect: a window holds every span
 * of `ratePer`, and one point needs one rank, so sorting each window would cost far more.
 */
export function selectKth(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i++] = values[j]!;
        values[j--] = swap;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k]!;
}

/** A `google.protobuf.Timestamp` in proto3 JSON: RFC 3339, fraction only when non-zero. */
function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}
