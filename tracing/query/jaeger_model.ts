/**
 * Stored traces in Jaeger's JSON model (jaeger-query's `/api/traces` shapes), mapped the way
 * Jaeger maps OTLP: span kind as tag `span.kind`, ERROR status as `error=true` plus
 * `otel.status_code`/`otel.status_description`, scope as `otel.scope.name`/`otel.scope.version`,
 * events as logs with an `event` field, the parent as CHILD_OF and links as FOLLOWS_FROM.
 */
import {
  type AnyValue,
  type KeyValue,
  type LogRecord,
  nanosToMicros,
  SPAN_KINDS,
  type SpanRecord,
  STATUS_ERROR,
  STATUS_OK,
  valueText,
} from "../span_model.ts";
import type { StoredTrace } from "../store/query.ts";

/** A Jaeger tag or log field. */
export interface JaegerTag {
  key: string;
  type: "string" | "bool" | "int64" | "float64" | "binary";
  value: string | boolean | number;
}

/** A Jaeger span. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: "CHILD_OF" | "FOLLOWS_FROM"; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: { timestamp: number; fields: JaegerTag[] }[];
  processID: string;
  warnings: string[] | null;
}

/** A Jaeger trace. */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
  warnings: string[] | null;
}

/** Converts one stored trace. */
export function toJaegerTrace(trace: StoredTrace): JaegerTrace {
  const processes: JaegerTrace["processes"] = {};
  const processIds = new Map<string, string>();
  const processOf = (span: SpanRecord): string => {
    const tags = span.resource.filter((kv) => kv.key !== "service.name").map(toTag);
    const key = JSON.stringify([span.service, tags]);
    let id = processIds.get(key);
    if (id === undefined) {
      id = `p${processIds.size + 1}`;
      processIds.set(key, id);
      processes[id] = { serviceName: span.service, tags };
    }
    return id;
  };
  const logsBySpan = new Map<string, LogRecord[]>();
  for (const log of trace.logs) {
    logsBySpan.set(log.spanId, [...(logsBySpan.get(log.spanId) ?? []), log]);
  }
  const spans = trace.spans.map((span) =>
    toJaegerSpan(span, processOf(span), logsBySpan.get(span.spanId) ?? [])
  );
  return {
    traceID: trace.spans[0]?.traceId ?? "",
    spans,
    processes,
    warnings: trace.omitted === undefined ? null : [omittedWarning(trace.omitted)],
  };
}

/** What Jaeger UI shows of a trace the read limit cut. */
function omittedWarning(omitted: { spans: number; logs: number }): string {
  return `Trace too large to return whole: ${omitted.spans} later spans and ${omitted.logs} ` +
    "log records are left out";
}

function toJaegerSpan(span: SpanRecord, processID: string, logs: LogRecord[]): JaegerSpan {
  const references: JaegerSpan["references"] = [];
  if (span.parentSpanId !== "") {
    references.push({ refType: "CHILD_OF", traceID: span.traceId, spanID: span.parentSpanId });
  }
  for (const link of span.links) {
    references.push({ refType: "FOLLOWS_FROM", traceID: link.traceId, spanID: link.spanId });
  }
  const start = nanosToMicros(span.startTimeUnixNano);
  return {
    traceID: span.traceId,
    spanID: span.spanId,
    operationName: span.name,
    references,
    startTime: start,
    duration: nanosToMicros(span.endTimeUnixNano) - start,
    tags: spanTags(span),
    logs: [
      ...span.events.map((event) => ({
        timestamp: nanosToMicros(event.timeUnixNano),
        fields: [
          { key: "event", type: "string" as const, value: event.name },
          ...event.attributes.map(toTag),
        ],
      })),
      ...logs.map((log) => ({
        timestamp: nanosToMicros(log.timeUnixNano),
        fields: [
          { key: "event", type: "string" as const, value: "log" },
          { key: "level", type: "string" as const, value: log.severityText || "INFO" },
          { key: "message", type: "string" as const, value: valueText(log.body) },
          ...log.attributes.map(toTag),
        ],
      })),
    ].sort((a, b) => a.timestamp - b.timestamp),
    processID,
    // Jaeger's OTLP translation keeps no trace flags, so its JSON never has `flags`.
    warnings: null,
  };
}

function spanTags(span: SpanRecord): JaegerTag[] {
  const tags = span.attributes.map(toTag);
  if (span.scope.name !== "") tags.push(text("otel.scope.name", span.scope.name));
  if (span.scope.version !== "") tags.push(text("otel.scope.version", span.scope.version));
  if (span.kind > 0) tags.push(text("span.kind", SPAN_KINDS[span.kind] ?? "unspecified"));
  if (span.status.code === STATUS_ERROR) {
    tags.push({ key: "error", type: "bool", value: true });
    tags.push(text("otel.status_code", "ERROR"));
  } else if (span.status.code === STATUS_OK) tags.push(text("otel.status_code", "OK"));
  if (span.status.message !== "") tags.push(text("otel.status_description", span.status.message));
  if (span.traceState !== "") tags.push(text("w3c.tracestate", span.traceState));
  return tags;
}

function text(key: string, value: string): JaegerTag {
  return { key, type: "string", value };
}

/** Converts an OTLP attribute to a Jaeger tag. */
export function toTag(kv: KeyValue): JaegerTag {
  const value: AnyValue = kv.value;
  if (value.boolValue !== undefined) return { key: kv.key, type: "bool", value: value.boolValue };
  if (value.intValue !== undefined) {
    return { key: kv.key, type: "int64", value: Number(value.intValue) };
  }
  if (value.doubleValue !== undefined) {
    return { key: kv.key, type: "float64", value: value.doubleValue };
  }
  if (value.bytesValue !== undefined) {
    return { key: kv.key, type: "binary", value: value.bytesValue };
  }
  return { key: kv.key, type: "string", value: valueText(value) };
}
