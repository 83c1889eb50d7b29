/**
 * The span, event and log shapes the tracing service stores and serves. Attribute values keep
 * OTLP's `AnyValue` JSON form, so the v3 API can return them unchanged.
 */

/** OTLP `AnyValue` in its JSON encoding; `intValue` is normalized to a decimal string. */
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: AnyValue[] };
  kvlistValue?: { values: KeyValue[] };
  bytesValue?: string;
}

/** OTLP `KeyValue`. */
export interface KeyValue {
  key: string;
  value: AnyValue;
}

/** OTLP span kinds, by their enum number. */
export const SPAN_KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"];

/** OTLP status codes. */
export const STATUS_UNSET = 0;
export const STATUS_OK = 1;
export const STATUS_ERROR = 2;

/** A span event. */
export interface SpanEvent {
  timeUnixNano: string;
  name: string;
  attributes: KeyValue[];
  /** Attributes the sender or the ingest limits dropped; absent when none. */
  droppedAttributesCount?: number;
}

/** A span link. */
export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: KeyValue[];
  /** The linked context's W3C trace flags and OTLP's is-remote bits; absent when 0. */
  flags?: number;
  /** Attributes the sender or the ingest limits dropped; absent when none. */
  droppedAttributesCount?: number;
}

/** A span as stored: ids are lowercase hex, times are decimal nanosecond strings. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  traceState: string;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  events: SpanEvent[];
  links: SpanLink[];
  status: { code: number; message: string };
  service: string;
  resource: KeyValue[];
  scope: { name: string; version: string };
  /** What the sender or the ingest limits dropped, as OTLP counts it; each absent when 0. */
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
}

/** `span` with its dropped counts set where they are not 0 (OTLP JSON leaves 0 out too). */
export function withDroppedCounts(
  span: SpanRecord,
  attributes: number,
  events: number,
  links: number,
): SpanRecord {
  if (attributes > 0) span.droppedAttributesCount = attributes;
  if (events > 0) span.droppedEventsCount = events;
  if (links > 0) span.droppedLinksCount = links;
  return span;
}

/** A log record joined to its trace. */
export interface LogRecord {
  traceId: string;
  spanId: string;
  timeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: AnyValue;
  attributes: KeyValue[];
  service: string;
}

/** Microseconds since the epoch from a nanosecond string (decimal digits, as stored). */
export function nanosToMicros(nanos: string): number {
  // Dropping the last three digits is the integer division, without a BigInt per call.
  return nanos.length > 3 ? Number(nanos.slice(0, -3)) : 0;
}

/** Start time in microseconds. */
export function startMicros(span: SpanRecord): number {
  return nanosToMicros(span.startTimeUnixNano);
}

/** Duration in microseconds. */
export function durationMicros(span: SpanRecord): number {
  const start = span.startTimeUnixNano;
  const end = span.endTimeUnixNano;
  // (end - start) / 1000 from whole microseconds and the nanosecond remainders.
  const micros = nanosToMicros(end) - nanosToMicros(start) -
    (Number(end.slice(-3)) < Number(start.slice(-3)) ? 1 : 0);
  if (micros >= 0) return micros;
  return Number((BigInt(end) - BigInt(start)) / 1000n);
}

/** Whether the span failed: ERROR status. */
export function isError(span: SpanRecord): boolean {
  return span.status.code === STATUS_ERROR;
}

/** A value's plain text, as used for tag search and display. */
export function valueText(value: AnyValue): string {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return String(value.boolValue);
  if (value.intValue !== undefined) return value.intValue;
  if (value.doubleValue !== undefined) return String(value.doubleValue);
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue !== undefined) return JSON.stringify(value.arrayValue.values.map(plain));
  if (value.kvlistValue !== undefined) {
    return JSON.stringify(
      Object.fromEntries(value.kvlistValue.values.map((kv) => [kv.key, plain(kv.value)])),
    );
  }
  return "";
}

/** A value as plain JSON (numbers, strings, arrays, objects). */
export function plain(value: AnyValue): unknown {
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.arrayValue !== undefined) return value.arrayValue.values.map(plain);
  if (value.kvlistValue !== undefined) {
    return Object.fromEntries(value.kvlistValue.values.map((kv) => [kv.key, plain(kv.value)]));
  }
  return value.stringValue ?? value.boolValue ?? value.doubleValue ?? value.bytesValue ?? null;
}

/** Converts plain JSON attributes (from the span API) to `KeyValue`s. */
export function toKeyValues(attributes: Readonly<Record<string, unknown>>): KeyValue[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: toAnyValue(value) }));
}

function toAnyValue(value: unknown): AnyValue {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number") {
    return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(toAnyValue) } };
  if (value !== null && typeof value === "object") {
    return { kvlistValue: { values: toKeyValues(value as Record<string, unknown>) } };
  }
  return { stringValue: String(value) };
}

/** The string value of attribute `key`, if any. */
export function attributeText(attributes: readonly KeyValue[], key: string): string | undefined {
  const found = attributes.find((kv) => kv.key === key);
  return found === undefined ? undefined : valueText(found.value);
}
