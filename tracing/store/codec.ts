/**
 * How a span maps to its row: the columns queries filter on, `tags` (its own attributes as a flat
 * key/value map, for tag search), `data` (the rest, empty parts left out) and a reference to its
 * resource, stored once in `resources`.
 *
 * Attributes are stored once: when `tags` gives them back exactly (scalar values, distinct keys
 * that keep their order in a JSON object), `data` holds only their types (`types`, one letter
 * each) and reading rebuilds them from `tags`; otherwise `data` keeps them whole (`attributes`),
 * as every row written before schema 3 does.
 */
import type { AnyValue, KeyValue, SpanRecord } from "../span_model.ts";
import { isError, valueText, withDroppedCounts } from "../span_model.ts";

/** A span row as read back, resource excluded. */
export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  service: string;
  operation: string;
  kind: number;
  resource_id: number;
  tags: string | null;
  data: string;
}

/** A span's two JSON columns. */
export interface SpanColumns {
  tags: string | null;
  data: string;
}

interface SpanData {
  traceState?: string;
  flags: number;
  start: string;
  end: string;
  attributes?: SpanRecord["attributes"];
  /** The attributes' value types, when they are rebuilt from `tags`. */
  types?: string;
  events?: SpanRecord["events"];
  links?: SpanRecord["links"];
  status?: SpanRecord["status"];
  scope: SpanRecord["scope"];
  /** Attributes, events and links dropped (by the sender or the ingest limits), when any. */
  dropped?: [number, number, number];
}

/**
 * The `tags` column (the span's attributes as text, plus `error=true`; `null` when empty) and the
 * `data` column (the span minus its columns, its resource and, when `tags` holds them exactly,
 * its attributes).
 */
export function spanColumns(span: SpanRecord): SpanColumns {
  const data: SpanData = {
    flags: span.flags,
    start: span.startTimeUnixNano,
    end: span.endTimeUnixNano,
    scope: span.scope,
  };
  if (span.traceState !== "") data.traceState = span.traceState;
  const error = isError(span);
  let tags: string | null = null;
  if (span.attributes.length > 0 || error) {
    const flat: Record<string, string> = {};
    let types: string | undefined = "";
    for (const kv of span.attributes) {
      const text = valueText(kv.value);
      if (types !== undefined) {
        const type = rebuildable(kv.key, kv.value, text);
        if (type === undefined || Object.hasOwn(flat, kv.key)) types = undefined;
        else types += type;
      }
      flat[kv.key] = text;
    }
    if (error) flat.error = "true";
    tags = JSON.stringify(flat);
    if (types === undefined) data.attributes = span.attributes;
    else if (types !== "") data.types = types;
  }
  if (span.events.length > 0) data.events = span.events;
  if (span.links.length > 0) data.links = span.links;
  if (span.status.code !== 0 || span.status.message !== "") data.status = span.status;
  const { droppedAttributesCount = 0, droppedEventsCount = 0, droppedLinksCount = 0 } = span;
  if (droppedAttributesCount + droppedEventsCount + droppedLinksCount > 0) {
    data.dropped = [droppedAttributesCount, droppedEventsCount, droppedLinksCount];
  }
  return { tags, data: JSON.stringify(data) };
}

/** A resource's `tags` column, matched when the span's own tags lack the key. */
export function resourceTags(resource: readonly KeyValue[]): string {
  return JSON.stringify(flatTags(resource));
}

/** Rebuilds a stored span from its row and its resource. */
export function spanFromRow(row: SpanRow, resource: KeyValue[]): SpanRecord {
  const data = JSON.parse(row.data) as SpanData;
  const span: SpanRecord = {
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    traceState: data.traceState ?? "",
    flags: data.flags,
    name: row.operation,
    kind: row.kind,
    startTimeUnixNano: data.start,
    endTimeUnixNano: data.end,
    attributes: data.types === undefined
      ? data.attributes ?? []
      : attributesFromTags(row.tags, data.types),
    events: data.events ?? [],
    links: data.links ?? [],
    status: data.status ?? { code: 0, message: "" },
    service: row.service,
    resource,
    scope: data.scope,
  };
  if (data.dropped === undefined) return span;
  return withDroppedCounts(span, ...data.dropped);
}

/**
 * The type letter of an attribute whose value `tags` gives back exactly, else `undefined`: the
 * value has one scalar field, and the key is neither `error` (the column's own flag), a
 * `__proto__` nor one starting with a digit (integer keys reorder in a parsed object).
 */
function rebuildable(key: string, value: AnyValue, text: string): string | undefined {
  const first = key.charCodeAt(0);
  if (key === "error" || key === "__proto__" || (first >= 48 && first <= 57)) return undefined;
  const { stringValue, boolValue, intValue, doubleValue, bytesValue } = value;
  let type: string | undefined;
  let fields = 0;
  if (stringValue !== undefined) {
    fields++;
    type = "s";
  }
  if (boolValue !== undefined) {
    fields++;
    type = "b";
  }
  if (intValue !== undefined) {
    fields++;
    type = "i";
  }
  if (bytesValue !== undefined) {
    fields++;
    type = "y";
  }
  if (doubleValue !== undefined) {
    // NaN and infinities have no JSON form; what `data` would have kept is not rebuilt.
    const exact = Number.isFinite(doubleValue) && Number(text) === doubleValue;
    fields++;
    type = exact ? "d" : undefined;
  }
  if (value.arrayValue !== undefined || value.kvlistValue !== undefined) return undefined;
  return fields === 1 ? type : undefined;
}

function attributesFromTags(tags: string | null, types: string): KeyValue[] {
  const flat = JSON.parse(tags ?? "{}") as Record<string, string>;
  const attributes: KeyValue[] = [];
  let i = 0;
  for (const key in flat) {
    if (i === types.length) break;
    const text = flat[key]!;
    const type = types[i++];
    const value: AnyValue = type === "s"
      ? { stringValue: text }
      : type === "i"
      ? { intValue: text }
      : type === "b"
      ? { boolValue: text === "true" }
      : type === "d"
      ? { doubleValue: Number(text) }
      : { bytesValue: text };
    attributes.push({ key, value });
  }
  return attributes;
}

function flatTags(attributes: readonly KeyValue[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const kv of attributes) tags[kv.key] = valueText(kv.value);
  return tags;
}
