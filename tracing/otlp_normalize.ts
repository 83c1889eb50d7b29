/**
 * Turns OTLP export requests (JSON as received, or protobuf decoded to the same object shape) into
 * stored records. Invalid spans are counted as rejected, for OTLP's partial success; a payload
 * whose structure is wrong throws `PayloadError` (400).
 */
import type { AnyValue, KeyValue, LogRecord, SpanRecord } from "./span_model.ts";

/** The payload is not an OTLP export request. */
export class PayloadError extends Error {
  override name = "PayloadError";
}

/** How ids arrive: hex in OTLP JSON, base64 after protobuf decoding. */
export type IdEncoding = "hex" | "base64";

/** The outcome of normalizing one request. */
export interface Normalized<T> {
  items: T[];
  rejected: number;
  /** The first rejection reason, for the partial-success message. */
  firstError: string | undefined;
}

type Obj = Record<string, unknown>;

/** Normalizes an `ExportTraceServiceRequest`. */
export function normalizeTraces(request: unknown, ids: IdEncoding): Normalized<SpanRecord> {
  const out: Normalized<SpanRecord> = { items: [], rejected: 0, firstError: undefined };
  for (const rs of list(object(request, "request"), "resourceSpans")) {
    const resource = attributes(object(rs, "resourceSpans[]").resource);
    const service = serviceName(resource);
    for (const ss of list(rs as Obj, "scopeSpans")) {
      const scopeObj = (object(ss, "scopeSpans[]").scope ?? {}) as Obj;
      const scope = { name: str(scopeObj.name), version: str(scopeObj.version) };
      for (const raw of list(ss as Obj, "spans")) {
        try {
          out.items.push(span(raw, ids, { service, resource, scope }));
        } catch (error) {
          out.rejected++;
          out.firstError ??= (error as Error).message;
        }
      }
    }
  }
  return out;
}

/** Normalizes an `ExportLogsServiceRequest`. */
export function normalizeLogs(request: unknown, ids: IdEncoding): Normalized<LogRecord> {
  const out: Normalized<LogRecord> = { items: [], rejected: 0, firstError: undefined };
  for (const rl of list(object(request, "request"), "resourceLogs")) {
    const service = serviceName(attributes(object(rl, "resourceLogs[]").resource));
    for (const sl of list(rl as Obj, "scopeLogs")) {
      for (const raw of list(object(sl, "scopeLogs[]"), "logRecords")) {
        try {
          const r = object(raw, "logRecord");
          const time = nanos(r.timeUnixNano ?? 0, "timeUnixNano");
          out.items.push({
            traceId: id(r.traceId, ids, 16, "traceId", true),
            spanId: id(r.spanId, ids, 8, "spanId", true),
            timeUnixNano: time === "0" ? nanos(r.observedTimeUnixNano ?? 0, "time") : time,
            severityNumber: Number(r.severityNumber ?? 0) || 0,
            severityText: str(r.severityText),
            body: anyValue(r.body),
            attributes: attributes(r),
            service,
          });
        } catch (error) {
          out.rejected++;
          out.firstError ??= (error as Error).message;
        }
      }
    }
  }
  return out;
}

/** Counts the data points of an `ExportMetricsServiceRequest` (metrics are accepted, not kept). */
export function countMetricPoints(request: unknown): number {
  let points = 0;
  for (const rm of list(object(request, "request"), "resourceMetrics")) {
    for (const sm of list(object(rm, "resourceMetrics[]"), "scopeMetrics")) {
      for (const metric of list(object(sm, "scopeMetrics[]"), "metrics")) {
        for (const value of Object.values(object(metric, "metric"))) {
          const dataPoints = (value as Obj | null)?.dataPoints;
          if (Array.isArray(dataPoints)) points += dataPoints.length;
        }
      }
    }
  }
  return points;
}

function span(
  raw: unknown,
  ids: IdEncoding,
  context: Pick<SpanRecord, "service" | "resource" | "scope">,
): SpanRecord {
  const s = object(raw, "span");
  const start = nanos(s.startTimeUnixNano, "startTimeUnixNano");
  const end = nanos(s.endTimeUnixNano, "endTimeUnixNano");
  if (BigInt(end) < BigInt(start)) throw new PayloadError("Span ends before it starts");
  const status = (s.status ?? {}) as Obj;
  return {
    traceId: id(s.traceId, ids, 16, "traceId", false),
    spanId: id(s.spanId, ids, 8, "spanId", false),
    parentSpanId: id(s.parentSpanId, ids, 8, "parentSpanId", true),
    traceState: str(s.traceState),
    flags: Number(s.flags ?? 0) || 0,
    name: str(s.name),
    kind: enumNumber(
      s.kind,
      ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER"]
        .concat(["SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"]),
    ),
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: attributes(s),
    events: list(s, "events").map((e) => {
      const event = object(e, "event");
      return {
        timeUnixNano: nanos(event.timeUnixNano ?? start, "event.timeUnixNano"),
        name: str(event.name),
        attributes: attributes(event),
      };
    }),
    links: list(s, "links").map((l) => {
      const link = object(l, "link");
      return {
        traceId: id(link.traceId, ids, 16, "link.traceId", false),
        spanId: id(link.spanId, ids, 8, "link.spanId", false),
        traceState: str(link.traceState),
        attributes: attributes(link),
      };
    }),
    status: {
      code: enumNumber(status.code, ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]),
      message: str(status.message),
    },
    ...context,
  };
}

function object(value: unknown, what: string): Obj {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new PayloadError(`Invalid ${what}: expected an object`);
  }
  return value as Obj;
}

function list(value: Obj, field: string): unknown[] {
  const item = value[field];
  if (item === undefined || item === null) return [];
  if (!Array.isArray(item)) throw new PayloadError(`Invalid "${field}": expected an array`);
  return item;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function nanos(value: unknown, field: string): string {
  const text = typeof value === "number" ? BigInt(Math.trunc(value)).toString() : value;
  if (typeof text === "string" && /^\d{1,20}$/.test(text)) return BigInt(text).toString();
  throw new PayloadError(
    `Invalid ${field} ${JSON.stringify(value)}: expected unsigned nanoseconds`,
  );
}

function enumNumber(value: unknown, names: readonly string[]): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string") return Math.max(0, names.indexOf(value));
  return 0;
}

const HEX = /^[0-9a-f]+$/;

function id(value: unknown, ids: IdEncoding, bytes: number, field: string, optional: boolean) {
  const text = typeof value === "string" ? value : "";
  if (text === "" && optional) return "";
  const hex = ids === "hex" ? text.toLowerCase() : base64ToHex(text);
  if (hex.length !== bytes * 2 || !HEX.test(hex) || /^0+$/.test(hex)) {
    if (optional && /^0*$/.test(hex)) return "";
    throw new PayloadError(
      `Invalid ${field} "${text}": expected ${bytes * 2} hex digits, not all 0`,
    );
  }
  return hex;
}

function base64ToHex(text: string): string {
  try {
    return Array.from(atob(text), (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  } catch {
    return "";
  }
}

function attributes(holder: unknown): KeyValue[] {
  if (holder === null || typeof holder !== "object") return [];
  const items = (holder as Obj).attributes;
  if (!Array.isArray(items)) return [];
  return items.filter((kv): kv is Obj => kv !== null && typeof kv === "object")
    .map((kv) => ({ key: str(kv.key), value: anyValue(kv.value) }));
}

function anyValue(raw: unknown): AnyValue {
  if (raw === null || typeof raw !== "object") return {};
  const v = raw as Obj;
  if (typeof v.stringValue === "string") return { stringValue: v.stringValue };
  if (typeof v.boolValue === "boolean") return { boolValue: v.boolValue };
  if (v.intValue !== undefined && v.intValue !== null) return { intValue: String(v.intValue) };
  if (v.doubleValue !== undefined && v.doubleValue !== null) {
    return { doubleValue: Number(v.doubleValue) };
  }
  if (typeof v.bytesValue === "string") return { bytesValue: v.bytesValue };
  const array = (v.arrayValue as Obj | undefined)?.values;
  if (v.arrayValue !== undefined) {
    return { arrayValue: { values: Array.isArray(array) ? array.map(anyValue) : [] } };
  }
  if (v.kvlistValue !== undefined) return { kvlistValue: { values: attributesOf(v.kvlistValue) } };
  return {};
}

function attributesOf(holder: unknown): KeyValue[] {
  const values = (holder as Obj | null)?.values;
  return attributes({ attributes: values });
}

function serviceName(resource: readonly KeyValue[]): string {
  const found = resource.find((kv) => kv.key === "service.name")?.value.stringValue;
  return found === undefined || found === "" ? "unknown_service" : found;
}
