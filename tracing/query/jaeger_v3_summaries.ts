/**
 * Jaeger api_v3's `TraceSummary` (FindTraceSummaries, `GET /api/v3/trace-summaries`), which Jaeger
 * UI 2.19 and later lists as search results. Computed as jaeger-query does: the root is the
 * earliest span without a parent, errors are spans with status ERROR, orphans are spans whose
 * parent is not in the trace, services are sorted by name, and 64-bit times are decimal strings.
 */
import { type SpanRecord, STATUS_ERROR } from "../span_model.ts";

/** Per-service counts of a trace. */
export interface ServiceSummary {
  name: string;
  spanCount: number;
  errorSpanCount: number;
}

/** One trace as search results list it, in proto3 JSON field names. */
export interface TraceSummary {
  traceId: string;
  rootServiceName: string;
  rootOperationName: string;
  minStartTimeUnixNano: string;
  maxEndTimeUnixNano: string;
  spanCount: number;
  errorSpanCount: number;
  orphanSpanCount: number;
  services: ServiceSummary[];
}

/** Summarizes the spans of one trace (at least one span). */
export function summarizeTrace(spans: readonly SpanRecord[]): TraceSummary {
  const spanIds = new Set(spans.map((span) => span.spanId));
  const services = new Map<string, ServiceSummary>();
  let root: SpanRecord | undefined;
  let minStart: bigint | undefined;
  let maxEnd: bigint | undefined;
  let errors = 0;
  let orphans = 0;
  for (const span of spans) {
    let service = services.get(span.service);
    if (service === undefined) {
      service = { name: span.service, spanCount: 0, errorSpanCount: 0 };
      services.set(span.service, service);
    }
    service.spanCount++;
    if (span.status.code === STATUS_ERROR) {
      service.errorSpanCount++;
      errors++;
    }
    const start = BigInt(span.startTimeUnixNano);
    const end = BigInt(span.endTimeUnixNano);
    if (minStart === undefined || start < minStart) minStart = start;
    if (maxEnd === undefined || end > maxEnd) maxEnd = end;
    if (span.parentSpanId === "") {
      if (root === undefined || start < BigInt(root.startTimeUnixNano)) root = span;
    } else if (!spanIds.has(span.parentSpanId)) orphans++;
  }
  return {
    traceId: spans[0]?.traceId ?? "",
    rootServiceName: root?.service ?? "",
    rootOperationName: root?.name ?? "",
    minStartTimeUnixNano: String(minStart ?? 0n),
    maxEndTimeUnixNano: String(maxEnd ?? 0n),
    spanCount: spans.length,
    errorSpanCount: errors,
    orphanSpanCount: orphans,
    services: [...services.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  };
}
