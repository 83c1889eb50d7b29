/** The own API's views: a trace with its spans and logs, a trace summary, latency statistics. */
import {
  durationMicros,
  isError,
  type KeyValue,
  type LogRecord,
  plain,
  SPAN_KINDS,
  type SpanRecord,
  startMicros,
} from "../span_model.ts";
import type { StoredTrace } from "../store/query.ts";

const STATUS_NAMES = ["unset", "ok", "error"];

/** A trace summary, as search lists them. */
export function traceSummary(trace: StoredTrace): Record<string, unknown> {
  const { spans } = trace;
  const ids = new Set(spans.map((s) => s.spanId));
  const root = spans.find((s) => s.parentSpanId === "") ??
    spans.find((s) => !ids.has(s.parentSpanId)) ?? spans[0]!;
  const start = Math.min(...spans.map(startMicros));
  const end = Math.max(...spans.map((s) => startMicros(s) + durationMicros(s)));
  return {
    trace_id: root.traceId,
    root_service: root.service,
    root_operation: root.name,
    start_time: new Date(start / 1000).toISOString(),
    duration_ms: (end - start) / 1000,
    span_count: spans.length,
    error_count: spans.filter(isError).length,
    services: [...new Set(spans.map((s) => s.service))].sort(),
  };
}

/** A full trace: the summary plus every span and log. */
export function traceView(trace: StoredTrace): Record<string, unknown> {
  return {
    ...traceSummary(trace),
    spans: trace.spans.map(spanView),
    logs: trace.logs.map(logView),
  };
}

function spanView(span: SpanRecord): Record<string, unknown> {
  return {
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId === "" ? null : span.parentSpanId,
    name: span.name,
    kind: SPAN_KINDS[span.kind] ?? "unspecified",
    service: span.service,
    start_time: new Date(startMicros(span) / 1000).toISOString(),
    start_time_unix_nano: span.startTimeUnixNano,
    end_time_unix_nano: span.endTimeUnixNano,
    duration_ms: durationMicros(span) / 1000,
    status: { code: STATUS_NAMES[span.status.code] ?? "unset", message: span.status.message },
    attributes: attributeMap(span.attributes),
    resource: attributeMap(span.resource),
    scope: span.scope,
    events: span.events.map((event) => ({
      name: event.name,
      time_unix_nano: event.timeUnixNano,
      attributes: attributeMap(event.attributes),
    })),
    links: span.links.map((link) => ({
      trace_id: link.traceId,
      span_id: link.spanId,
      attributes: attributeMap(link.attributes),
    })),
  };
}

/** A log record in the own API's snake_case shape. */
export function logView(log: LogRecord): Record<string, unknown> {
  return {
    trace_id: log.traceId,
    span_id: log.spanId,
    time_unix_nano: log.timeUnixNano,
    severity: log.severityText,
    severity_number: log.severityNumber,
    body: plain(log.body),
    service: log.service,
    attributes: attributeMap(log.attributes),
  };
}

/** Attributes as a plain JSON object. */
export function attributeMap(attributes: readonly KeyValue[]): Record<string, unknown> {
  return Object.fromEntries(attributes.map((kv) => [kv.key, plain(kv.value)]));
}

/** Rate, error rate and percentiles of span samples over a window. */
export interface LatencyStats {
  count: number;
  rate_per_second: number;
  error_rate: number;
  p50_ms: number | null;
  p90_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
}

/** Computes `LatencyStats` from samples taken over `windowMs`. */
export function latencyStats(
  samples: readonly { durationUs: number; error: boolean }[],
  windowMs: number,
): LatencyStats {
  const sorted = samples.map((s) => s.durationUs).sort((a, b) => a - b);
  const pick = (q: number) => sorted.length === 0 ? null : nearestRank(sorted, q) / 1000;
  return {
    count: samples.length,
    rate_per_second: samples.length / (windowMs / 1000),
    error_rate: samples.length === 0 ? 0 : samples.filter((s) => s.error).length / samples.length,
    p50_ms: pick(0.5),
    p90_ms: pick(0.9),
    p95_ms: pick(0.95),
    p99_ms: pick(0.99),
  };
}

/** The nearest-rank `q` quantile (0 < q <= 1) of ascending, non-empty `sorted`. */
export function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[nearestRankIndex(sorted.length, q)]!;
}

/** Where the nearest-rank `q` quantile sits among `n` ascending values. */
export function nearestRankIndex(n: number, q: number): number {
  return Math.max(0, Math.min(n - 1, Math.ceil(q * n) - 1));
}
