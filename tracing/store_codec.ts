/**
 * How a span maps to its row: the columns queries filter on, `tags` (its own attributes as a flat
 * key/value map, for tag search), `data` (the rest, empty parts left out) and a reference to its
 * resource, stored once in `resources`.
 */
import { isError, type KeyValue, type SpanRecord, valueText } from "./span_model.ts";

/** A span row as read back, resource excluded. */
export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  service: string;
  operation: string;
  kind: number;
  resource_id: number;
  data: string;
}

interface SpanData {
  traceState?: string;
  flags: number;
  start: string;
  end: string;
  attributes?: SpanRecord["attributes"];
  events?: SpanRecord["events"];
  links?: SpanRecord["links"];
  status?: SpanRecord["status"];
  scope: SpanRecord["scope"];
}

/** The `data` column: the span minus its columns and resource. */
export function spanData(span: SpanRecord): string {
  const data: SpanData = {
    flags: span.flags,
    start: span.startTimeUnixNano,
    end: span.endTimeUnixNano,
    scope: span.scope,
  };
  if (span.traceState !== "") data.traceState = span.traceState;
  if (span.attributes.length > 0) data.attributes = span.attributes;
  if (span.events.length > 0) data.events = span.events;
  if (span.links.length > 0) data.links = span.links;
  if (span.status.code !== 0 || span.status.message !== "") data.status = span.status;
  return JSON.stringify(data);
}

/** The `tags` column: the span's attributes as text, plus `error=true`; `null` when empty. */
export function spanTags(span: SpanRecord): string | null {
  const error = isError(span);
  if (span.attributes.length === 0 && !error) return null;
  const tags = flatTags(span.attributes);
  if (error) tags.error = "true";
  return JSON.stringify(tags);
}

/** A resource's `tags` column, matched when the span's own tags lack the key. */
export function resourceTags(resource: readonly KeyValue[]): string {
  return JSON.stringify(flatTags(resource));
}

/** Rebuilds a stored span from its row and its resource. */
export function spanFromRow(row: SpanRow, resource: KeyValue[]): SpanRecord {
  const data = JSON.parse(row.data) as SpanData;
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    traceState: data.traceState ?? "",
    flags: data.flags,
    name: row.operation,
    kind: row.kind,
    startTimeUnixNano: data.start,
    endTimeUnixNano: data.end,
    attributes: data.attributes ?? [],
    events: data.events ?? [],
    links: data.links ?? [],
    status: data.status ?? { code: 0, message: "" },
    service: row.service,
    resource,
    scope: data.scope,
  };
}

function flatTags(attributes: readonly KeyValue[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const kv of attributes) tags[kv.key] = valueText(kv.value);
  return tags;
}
