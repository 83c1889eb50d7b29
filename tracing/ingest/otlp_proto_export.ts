/**
 * The walk that OTLP/protobuf trace and log export requests share: request → resource (field 1)
 * → scope (field 2) → item (field 2 of the scope), each item read by the signal's own decoder in
 * the context of its resource and scope. An item whose decoder throws `PayloadError` is rejected
 * and counted; a body that is not protobuf throws `PayloadError`.
 */
import type { KeyValue, SpanRecord } from "../span_model.ts";
import { DEFAULT_INGEST_LIMITS, emptyTally, type IngestLimits } from "./limits.ts";
import { emptyResult, type Normalized, PayloadError, serviceName } from "./otlp_normalize.ts";
import { type Limiter, readAttributeList } from "./otlp_proto_values.ts";
import { ProtoReader, WireError } from "./proto_reader.ts";

/** Where an item was sent from: its resource's service and attributes and its scope. */
export type ItemContext = Pick<SpanRecord, "service" | "resource" | "scope">;

/** Reads one item from `r.pos` to `end`; throws `PayloadError` to reject it. */
export type ItemDecoder<T> = (
  r: ProtoReader,
  end: number,
  context: ItemContext,
  limiter: Limiter,
) => T;

/** Decodes an export request's items with `item`, under `limits`. */
export function decodeExport<T>(
  bytes: Uint8Array,
  item: ItemDecoder<T>,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): Normalized<T> {
  const limiter: Limiter = { limits, tally: emptyTally() };
  const out = emptyResult<T>(limiter.tally);
  const r = new ProtoReader(bytes, { maxString: limits.valueLength });
  try {
    while (r.pos < r.length) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) resourceItems(r, r.messageEnd(r.length), { item, out, limiter });
      else r.skip(tag & 7);
    }
  } catch (error) {
    // Rejected items never get here; nesting is bounded by the limits and the group depth.
    if (!(error instanceof WireError)) throw error;
    throw new PayloadError(`Invalid protobuf body: ${error.message}`);
  }
  limiter.tally.truncated += r.truncated;
  return out;
}

interface Walk<T> {
  item: ItemDecoder<T>;
  out: Normalized<T>;
  limiter: Limiter;
}

function resourceItems<T>(r: ProtoReader, end: number, walk: Walk<T>): void {
  // The resource may follow its scopes on the wire: scopes are read once it is known.
  let resource: KeyValue[] = [];
  const scopes: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) resource = readAttributeList(r, r.messageEnd(end), walk.limiter);
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
    const context = { service, resource, scope: { name: "", version: "" } };
    scopeItems(r, scopes[i + 1]!, context, walk);
  }
  r.pos = end;
}

function scopeItems<T>(r: ProtoReader, end: number, context: ItemContext, walk: Walk<T>): void {
  const items: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) context.scope = scope(r, r.messageEnd(end));
    else if (field === 2) {
      const itemEnd = r.messageEnd(end);
      items.push(r.pos, itemEnd);
      r.pos = itemEnd;
    } else r.skip(tag & 7);
  }
  r.finish(end);
  for (let i = 0; i < items.length; i += 2) {
    r.pos = items[i]!;
    try {
      walk.out.items.push(walk.item(r, items[i + 1]!, context, walk.limiter));
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      walk.out.rejected++;
      walk.out.firstError ??= error.message;
    }
  }
  r.pos = end;
}

function scope(r: ProtoReader, end: number): ItemContext["scope"] {
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
