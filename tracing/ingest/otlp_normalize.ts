/**
 * Turns OTLP export requests (JSON as received, or protobuf messages as protobufjs decodes them:
 * the same field names, bytes as `Uint8Array`, 64-bit integers as `Long`, unset fields `null`)
 * into stored records. Invalid spans are counted as rejected, for OTLP's partial success; a payload
 * whose structure is wrong throws `PayloadError` (400). The ingest limits (limits.ts) apply as the
 * records are built: what is over them is counted, not copied.
 */
import {
  type KeyValue,
  type LogRecord,
  type SpanEvent,
  type SpanLink,
  type SpanRecord,
  withDroppedCounts,
} from "../span_model.ts";
import { BYTE_HEX } from "../../lib/hex.ts";
import { DEFAULT_INGEST_LIMITS, emptyTally, type IngestLimits, type LimitTally } from "./limits.ts";
import {
  attributes,
  count,
  type Limiter,
  logBody,
  type Obj,
  prunedCount,
  str,
} from "./otlp_normalize_values.ts";

/** The payload is not an OTLP export request. */
export class PayloadError extends Error {
  override name = "PayloadError";
}

/** How ids arrive: hex strings in OTLP JSON, bytes in decoded protobuf. */
export type IdEncoding = "hex" | "bytes";

/** The outcome of normalizing one request. */
export interface Normalized<T> {
  items: T[];
  rejected: number;
  /** The first rejection reason, for the partial-success message. */
  firstError: string | undefined;
  /** What the ingest limits cut, when they applied. */
  tally?: LimitTally;
}

/** A result with nothing in it yet, whose cuts go to `tally`. */
export function emptyResult<T>(tally: LimitTally): Normalized<T> {
  return { items: [], rejected: 0, firstError: undefined, tally };
}

/** Normalizes an `ExportTraceServiceRequest` under `limits`. */
export function normalizeTraces(
  request: unknown,
  ids: IdEncoding,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): Normalized<SpanRecord> {
  const lim: Limiter = { limits, tally: emptyTally() };
  const out = emptyResult<SpanRecord>(lim.tally);
  for (const rs of list(object(request, "request"), "resourceSpans")) {
    const resource = attributes(object(rs, "resourceSpans[]").resource, lim).kept;
    const service = serviceName(resource);
    for (const ss of list(rs as Obj, "scopeSpans")) {
      const scopeObj = (object(ss, "scopeSpans[]").scope ?? {}) as Obj;
      const scope = { name: str(scopeObj.name, lim), version: str(scopeObj.version, lim) };
      for (const raw of list(ss as Obj, "spans")) {
        try {
          out.items.push(span(raw, ids, { service, resource, scope }, lim));
        } catch (error) {
          out.rejected++;
          out.firstError ??= (error as Error).message;
        }
      }
    }
  }
  return out;
}

/** Normalizes an `ExportLogsServiceRequest` under `limits`. */
export function normalizeLogs(
  request: unknown,
  ids: IdEncoding,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): Normalized<LogRecord> {
  const lim: Limiter = { limits, tally: emptyTally() };
  const out = emptyResult<LogRecord>(lim.tally);
  for (const rl of list(object(request, "request"), "resourceLogs")) {
    const service = serviceName(attributes(object(rl, "resourceLogs[]").resource, lim).kept);
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
            severityText: str(r.severityText, lim),
            body: logBody(r.body, lim),
            attributes: attributes(r, lim).kept,
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
  lim: Limiter,
): SpanRecord {
  const { limits, tally } = lim;
  const s = object(raw, "span");
  const start = nanos(s.startTimeUnixNano, "startTimeUnixNano");
  const end = nanos(s.endTimeUnixNano, "endTimeUnixNano");
  if (nanosBefore(end, start)) throw new PayloadError("Span ends before it starts");
  const status = (s.status ?? {}) as Obj;
  const allEvents = list(s, "events");
  const allLinks = list(s, "links");
  const events = allEvents.slice(0, limits.eventCount);
  const links = allLinks.slice(0, limits.linkCount);
  // Past the limit here, and cut before parsing by json_prune.ts.
  const droppedEvents = allEvents.length - events.length + prunedCount(s, "events");
  const droppedLinks = allLinks.length - links.length + prunedCount(s, "links");
  tally.events += droppedEvents;
  tally.links += droppedLinks;
  const traceId = id(s.traceId, ids, 16, "traceId", false);
  const spanId = id(s.spanId, ids, 8, "spanId", false);
  const parentSpanId = id(s.parentSpanId, ids, 8, "parentSpanId", true);
  const traceState = str(s.traceState, lim);
  const name = str(s.name, lim);
  const spanAttributes = attributes(s, lim);
  const record: SpanRecord = {
    traceId,
    spanId,
    parentSpanId,
    traceState,
    flags: Number(s.flags ?? 0) || 0,
    name,
    kind: enumNumber(s.kind, SPAN_KINDS),
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: spanAttributes.kept,
    events: events.map((e) => {
      const event = object(e, "event");
      const timeUnixNano = nanos(event.timeUnixNano ?? start, "event.timeUnixNano");
      const eventName = str(event.name, lim);
      const eventAttributes = attributes(event, lim);
      return withDropped<SpanEvent>(
        { timeUnixNano, name: eventName, attributes: eventAttributes.kept },
        eventAttributes.dropped,
      );
    }),
    links: links.map((l) => {
      const link = object(l, "link");
      const linkTraceState = str(link.traceState, lim);
      const linkAttributes = attributes(link, lim);
      const flags = Number(link.flags ?? 0) || 0;
      return withDropped<SpanLink>({
        traceId: id(link.traceId, ids, 16, "link.traceId", false),
        spanId: id(link.spanId, ids, 8, "link.spanId", false),
        traceState: linkTraceState,
        attributes: linkAttributes.kept,
        ...(flags === 0 ? {} : { flags }),
      }, linkAttributes.dropped);
    }),
    status: {
      code: enumNumber(status.code, STATUS_CODES),
      message: str(status.message, lim),
    },
    ...context,
  };
  return withDroppedCounts(
    record,
    spanAttributes.dropped,
    count(s.droppedEventsCount) + droppedEvents,
    count(s.droppedLinksCount) + droppedLinks,
  );
}

/** `item` with `droppedAttributesCount` when it is not 0. */
function withDropped<T extends { droppedAttributesCount?: number }>(item: T, dropped: number): T {
  if (dropped > 0) item.droppedAttributesCount = dropped;
  return item;
}

const SPAN_KINDS = [
  "SPAN_KIND_UNSPECIFIED",
  "SPAN_KIND_INTERNAL",
  "SPAN_KIND_SERVER",
  "SPAN_KIND_CLIENT",
  "SPAN_KIND_PRODUCER",
  "SPAN_KIND_CONSUMER",
];
const STATUS_CODES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"];

/** `a < b` for canonical nanosecond strings (no leading zeros), without a BigInt per span. */
export function nanosBefore(a: string, b: string): boolean {
  return a.length !== b.length ? a.length < b.length : a < b;
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

/** Nanoseconds as a canonical decimal; `PayloadError` for anything else (`null` included). */
export function nanos(value: unknown, field: string): string {
  if (typeof value === "string" && CANONICAL_NANOS.test(value)) return value;
  if (isLong(value)) return fixed64Text(value.low, value.high);
  const text = typeof value === "number" ? BigInt(Math.trunc(value)).toString() : value;
  if (typeof text === "string" && /^\d{1,20}$/.test(text)) return BigInt(text).toString();
  throw new PayloadError(
    `Invalid ${field} ${JSON.stringify(value)}: expected unsigned nanoseconds`,
  );
}

const CANONICAL_NANOS = /^(0|[1-9]\d{0,18})$/;

interface Long {
  low: number;
  high: number;
}

function isLong(value: unknown): value is Long {
  return value !== null && typeof value === "object" && typeof (value as Long).low === "number" &&
    typeof (value as Long).high === "number";
}

/** An unsigned 64-bit integer given as two 32-bit halves, in decimal. */
export function fixed64Text(low: number, high: number): string {
  return longText({ low, high }) ?? ((BigInt(high >>> 0) << 32n) | BigInt(low >>> 0)).toString();
}

/** An unsigned 64-bit `Long` in decimal, without BigInt while the micros fit a double exactly. */
function longText({ low, high }: Long): string | undefined {
  const hi = high >>> 0;
  // hi * 2^32 + lo = (hi * 4294967 + (hi * 296 + lo) / 1000) * 1000 + (hi * 296 + lo) % 1000
  const rest = hi * 296 + (low >>> 0);
  const micros = hi * 4294967 + Math.floor(rest / 1000);
  if (!Number.isSafeInteger(micros)) return undefined;
  const nanos = rest % 1000;
  if (micros === 0) return String(nanos);
  return `${micros}${nanos < 10 ? "00" : nanos < 100 ? "0" : ""}${nanos}`;
}

function enumNumber(value: unknown, names: readonly string[]): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string") return Math.max(0, names.indexOf(value));
  return 0;
}

const HEX = /^[0-9a-f]+$/;

/** An id as lowercase hex; `PayloadError` unless `bytes` long and not all 0 (or absent if `optional`). */
export function id(
  value: unknown,
  ids: IdEncoding,
  bytes: number,
  field: string,
  optional: boolean,
): string {
  if (ids === "bytes" && value instanceof Uint8Array) return bytesId(value, bytes, field, optional);
  const text = typeof value === "string" ? value : "";
  if (text === "" && optional) return "";
  const hex = text.toLowerCase();
  if (hex.length !== bytes * 2 || !HEX.test(hex) || /^0+$/.test(hex)) {
    if (optional && /^0*$/.test(hex)) return "";
    const shown = text.length > 64
      ? `${text.slice(0, 64)}..." (${text.length} characters)`
      : `${text}"`;
    throw new PayloadError(
      `Invalid ${field} "${shown}: expected ${bytes * 2} hex digits, not all 0`,
    );
  }
  return hex;
}

/** A binary id as lowercase hex; `PayloadError` unless `bytes` long and not all 0. */
export function bytesId(
  value: Uint8Array,
  bytes: number,
  field: string,
  optional: boolean,
): string {
  let hex = "";
  let zero = true;
  // An id of the wrong length is quoted by its first 32 bytes only: it may be megabytes long.
  const shown = Math.min(value.length, 32);
  for (let i = 0; i < shown; i++) {
    const byte = value[i]!;
    if (byte !== 0) zero = false;
    hex += BYTE_HEX[byte];
  }
  if (value.length === bytes && !zero) return hex;
  if (optional && zero && value.every((byte) => byte === 0)) return "";
  const more = value.length > shown ? `..." (${value.length} bytes)` : '"';
  throw new PayloadError(
    `Invalid ${field} "${hex}${more}: expected ${bytes} bytes (${bytes * 2} hex digits), not all 0`,
  );
}

/** The resource's `service.name`, or `unknown_service`. */
export function serviceName(resource: readonly KeyValue[]): string {
  const found = resource.find((kv) => kv.key === "service.name")?.value.stringValue;
  return found === undefined || found === "" ? "unknown_service" : found;
}
