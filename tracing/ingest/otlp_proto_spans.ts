/**
 * Decodes an OTLP/protobuf `ExportTraceServiceRequest` straight into stored spans, without the
 * protobufjs message graph (`Long` times, byte-array ids) that `normalizeTraces` then walks: at
 * 100% sampling that pair was a tenth of ingest's cost. The result equals
 * `normalizeTraces(decodeRequest("traces", bytes), "bytes")` (the property test in
 * `otlp_proto_spans_test.ts` holds it to protobufjs and the official generated code): the same
 * spans, the same rejected spans and reasons. A body that is not protobuf throws `PayloadError`.
 */
import type { KeyValue, SpanEvent, SpanLink, SpanRecord } from "../span_model.ts";
import {
  fixed64Text,
  id,
  nanos,
  nanosBefore,
  type Normalized,
  PayloadError,
  serviceName,
} from "./otlp_normalize.ts";
import { keyValue } from "./otlp_proto_values.ts";
import { ProtoReader, WireError } from "./proto_reader.ts";

type Context = Pick<SpanRecord, "service" | "resource" | "scope">;

/** Decodes and normalizes a protobuf trace export request. */
export function decodeTraceSpans(bytes: Uint8Array): Normalized<SpanRecord> {
  const out: Normalized<SpanRecord> = { items: [], rejected: 0, firstError: undefined };
  const r = new ProtoReader(bytes);
  try {
    while (r.pos < r.length) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) resourceSpans(r, r.messageEnd(r.length), out);
      else r.skip(tag & 7);
    }
  } catch (error) {
    // Rejected spans never get here; a stack overflow from absurd nesting is a bad body too.
    if (!(error instanceof WireError) && !(error instanceof RangeError)) throw error;
    throw new PayloadError(`Invalid protobuf body: ${error.message}`);
  }
  return out;
}

function resourceSpans(r: ProtoReader, end: number, out: Normalized<SpanRecord>): void {
  // The resource may follow its scopes on the wire: scopes are read once it is known.
  let resource: KeyValue[] = [];
  const scopes: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) resource = resourceAttributes(r, r.messageEnd(end));
    else if (field === 2) {
      const scopeEnd = r.messageEnd(end);
      scopes.push(r.pos, scopeEnd);
      r.pos = scopeEnd;
    } else r.skip(tag & 7);
  }
  r.finish(end);
  const service = serviceName(resource);
  for (let i = 0; i < scopes.length; i += 2) {
    r.pos = scopes[i]!;
    scopeSpans(r, scopes[i + 1]!, { service, resource, scope: { name: "", version: "" } }, out);
  }
  r.pos = end;
}

function resourceAttributes(r: ProtoReader, end: number): KeyValue[] {
  const attributes: KeyValue[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) attributes.push(keyValue(r, r.messageEnd(end)));
    else r.skip(tag & 7);
  }
  r.finish(end);
  return attributes;
}

function scopeSpans(
  r: ProtoReader,
  end: number,
  context: Context,
  out: Normalized<SpanRecord>,
): void {
  const spans: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) context.scope = scope(r, r.messageEnd(end));
    else if (field === 2) {
      const spanEnd = r.messageEnd(end);
      spans.push(r.pos, spanEnd);
      r.pos = spanEnd;
    } else r.skip(tag & 7);
  }
  r.finish(end);
  for (let i = 0; i < spans.length; i += 2) {
    r.pos = spans[i]!;
    try {
      out.items.push(span(r, spans[i + 1]!, context));
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      out.rejected++;
      out.firstError ??= error.message;
    }
  }
  r.pos = end;
}

function scope(r: ProtoReader, end: number): SpanRecord["scope"] {
  const scope = { name: "", version: "" };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) scope.name = r.string();
    else if (field === 2) scope.version = r.string();
    else r.skip(tag & 7);
  }
  r.finish(end);
  return scope;
}

/**
 * Reads a whole span, then checks it as `normalizeTraces` does, in its order and with its
 * messages: a field protobufjs leaves `null` when absent is checked as `null`.
 */
function span(r: ProtoReader, end: number, context: Context): SpanRecord {
  let traceId: Uint8Array | null = null;
  let spanId: Uint8Array | null = null;
  let parentSpanId: Uint8Array | null = null;
  let traceState = "";
  let flags = 0;
  let name = "";
  let kind = 0;
  let startNanos: string | null = null;
  let endNanos: string | null = null;
  const attributes: KeyValue[] = [];
  const events: SpanEvent[] = [];
  const links: RawLink[] = [];
  let status = { code: 0, message: "" };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        traceId = r.bytes();
        break;
      case 2:
        spanId = r.bytes();
        break;
      case 3:
        traceState = r.string();
        break;
      case 4:
        parentSpanId = r.bytes();
        break;
      case 5:
        name = r.string();
        break;
      case 6:
        kind = r.int32();
        break;
      case 7:
        startNanos = r.fixed64(fixed64Text);
        break;
      case 8:
        endNanos = r.fixed64(fixed64Text);
        break;
      case 9:
        attributes.push(keyValue(r, r.messageEnd(end)));
        break;
      case 11:
        events.push(event(r, r.messageEnd(end)));
        break;
      case 13:
        links.push(link(r, r.messageEnd(end)));
        break;
      case 15:
        status = spanStatus(r, r.messageEnd(end));
        break;
      case 16:
        flags = r.fixed32();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.finish(end);
  const start = startNanos ?? nanos(null, "startTimeUnixNano");
  const end_ = endNanos ?? nanos(null, "endTimeUnixNano");
  if (nanosBefore(end_, start)) throw new PayloadError("Span ends before it starts");
  // An event without a time takes the span's start.
  for (const e of events) if (e.timeUnixNano === "") e.timeUnixNano = start;
  return {
    traceId: id(traceId, "bytes", 16, "traceId", false),
    spanId: id(spanId, "bytes", 8, "spanId", false),
    parentSpanId: id(parentSpanId, "bytes", 8, "parentSpanId", true),
    traceState,
    flags,
    name,
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: end_,
    attributes,
    events,
    links: links.map((l) => {
      l.link.traceId = id(l.traceId, "bytes", 16, "link.traceId", false);
      l.link.spanId = id(l.spanId, "bytes", 8, "link.spanId", false);
      return l.link;
    }),
    status,
    service: context.service,
    resource: context.resource,
    scope: context.scope,
  };
}

/** An event; `timeUnixNano` stays "" when absent, for the span to fill in. */
function event(r: ProtoReader, end: number): SpanEvent {
  const event: SpanEvent = { timeUnixNano: "", name: "", attributes: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) event.timeUnixNano = r.fixed64(fixed64Text);
    else if (field === 2) event.name = r.string();
    else if (field === 3) event.attributes.push(keyValue(r, r.messageEnd(end)));
    else r.skip(tag & 7);
  }
  r.finish(end);
  return event;
}

/** A link whose ids are checked with its span. */
interface RawLink {
  traceId: Uint8Array | null;
  spanId: Uint8Array | null;
  link: SpanLink;
}

function link(r: ProtoReader, end: number): RawLink {
  let traceId: Uint8Array | null = null;
  let spanId: Uint8Array | null = null;
  const link: SpanLink = { traceId: "", spanId: "", traceState: "", attributes: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) traceId = r.bytes();
    else if (field === 2) spanId = r.bytes();
    else if (field === 3) link.traceState = r.string();
    else if (field === 4) link.attributes.push(keyValue(r, r.messageEnd(end)));
    else if (field === 6 && (tag & 7) === 5) {
      const flags = r.fixed32();
      if (flags !== 0) link.flags = flags;
    } else r.skip(tag & 7);
  }
  r.finish(end);
  return { traceId, spanId, link };
}

function spanStatus(r: ProtoReader, end: number): SpanRecord["status"] {
  const status = { code: 0, message: "" };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 2) status.message = r.string();
    else if (field === 3) status.code = r.int32();
    else r.skip(tag & 7);
  }
  r.finish(end);
  return status;
}
