/**
 * Our OTLP/protobuf encoding of spans (`ExportTraceServiceRequest`), for the official exporter's
 * serializer slot. Profiles put the official serializer first among tracing's costs; this one
 * writes in one pass into a reused buffer (each span by `otlp_protobuf_span.ts`), and keeps the
 * encoded resource and scope, which are the same objects batch after batch.
 *
 * The official `ProtobufTraceSerializer` is the oracle: `otlp_protobuf_traces_test.ts` decodes
 * both encodings of random spans with the official generated code and compares them.
 */
import type { InstrumentationScope } from "@opentelemetry/core";
import type { IExportTraceServiceResponse, ISerializer } from "@opentelemetry/otlp-transformer";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import {
  LENGTH_DELIMITED,
  OtlpSpanWriter,
  RESERVE_SPAN,
  writeAttributes,
} from "./otlp_protobuf_span.ts";
import { ProtobufWriter } from "./protobuf_writer.ts";

/** Bytes reserved for the length of a resource's or a scope's spans. */
const RESERVE_BATCH = 3;

/** Encodes spans as one OTLP `ExportTraceServiceRequest`. */
export class OtlpProtobufTraceEncoder {
  readonly #writer = new ProtobufWriter();
  readonly #resources = new WeakMap<Resource, Uint8Array>();
  readonly #scopes = new WeakMap<InstrumentationScope, Uint8Array>();
  readonly #spans = new OtlpSpanWriter();

  /** The request's bytes (a fresh copy the caller may keep). */
  encode(spans: readonly ReadableSpan[]): Uint8Array {
    const writer = this.#writer;
    writer.reset();
    const first = spans[0];
    if (first !== undefined && sharesResourceAndScope(spans, first)) {
      this.#resourceSpans(first.resource, [spans]);
    } else {
      for (const [resource, scopes] of groupByResourceAndScope(spans)) {
        this.#resourceSpans(resource, scopes.values());
      }
    }
    return writer.take();
  }

  #resourceSpans(resource: Resource, groups: Iterable<readonly ReadableSpan[]>): void {
    const writer = this.#writer;
    writer.tag(1, LENGTH_DELIMITED);
    const start = writer.begin(RESERVE_BATCH);
    writer.tag(1, LENGTH_DELIMITED);
    writer.bytes(this.#resourceBytes(resource));
    for (const spans of groups) {
      writer.tag(2, LENGTH_DELIMITED);
      this.#scopeSpans(spans);
    }
    if (resource.schemaUrl) {
      writer.tag(3, LENGTH_DELIMITED);
      writer.string(resource.schemaUrl);
    }
    writer.end(start, RESERVE_BATCH);
  }

  #scopeSpans(spans: readonly ReadableSpan[]): void {
    const writer = this.#writer;
    const scope = spans[0]!.instrumentationScope;
    const start = writer.begin(RESERVE_BATCH);
    writer.tag(1, LENGTH_DELIMITED);
    writer.bytes(this.#scopeBytes(scope));
    for (const span of spans) {
      writer.tag(2, LENGTH_DELIMITED);
      const start = writer.begin(RESERVE_SPAN);
      this.#spans.write(writer, span);
      writer.end(start, RESERVE_SPAN);
    }
    if (scope.schemaUrl) {
      writer.tag(3, LENGTH_DELIMITED);
      writer.string(scope.schemaUrl);
    }
    writer.end(start, RESERVE_BATCH);
  }

  #resourceBytes(resource: Resource): Uint8Array {
    const cached = this.#resources.get(resource);
    if (cached !== undefined) return cached;
    const bytes = encodeApart((writer) => writeAttributes(writer, 1, resource.attributes));
    // Attributes still being detected may change; cache only what is final.
    if (!resource.asyncAttributesPending) this.#resources.set(resource, bytes);
    return bytes;
  }

  #scopeBytes(scope: InstrumentationScope): Uint8Array {
    const cached = this.#scopes.get(scope);
    if (cached !== undefined) return cached;
    const bytes = encodeApart((writer) => {
      writer.tag(1, LENGTH_DELIMITED);
      writer.string(scope.name);
      if (scope.version) {
        writer.tag(2, LENGTH_DELIMITED);
        writer.string(scope.version);
      }
    });
    this.#scopes.set(scope, bytes);
    return bytes;
  }
}

/**
 * The serializer for `createOtlpHttpExportDelegate`: requests in our encoding, responses read by
 * the official code (they are tiny and rare).
 */
export function fastProtobufTraceSerializer(): ISerializer<
  ReadableSpan[],
  IExportTraceServiceResponse
> {
  const encoder = new OtlpProtobufTraceEncoder();
  return {
    serializeRequest: (spans) => encoder.encode(spans),
    deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
  };
}

function sharesResourceAndScope(spans: readonly ReadableSpan[], first: ReadableSpan): boolean {
  const { resource, instrumentationScope } = first;
  for (const span of spans) {
    if (span.resource !== resource || span.instrumentationScope !== instrumentationScope) {
      return false;
    }
  }
  return true;
}

/** Groups by object identity, in first-seen order, as the official serializer does. */
function groupByResourceAndScope(
  spans: readonly ReadableSpan[],
): Map<Resource, Map<InstrumentationScope, ReadableSpan[]>> {
  const groups = new Map<Resource, Map<InstrumentationScope, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = groups.get(span.resource);
    if (scopes === undefined) groups.set(span.resource, scopes = new Map());
    const group = scopes.get(span.instrumentationScope);
    if (group === undefined) scopes.set(span.instrumentationScope, [span]);
    else group.push(span);
  }
  return groups;
}

/** Encodes a small message with its own writer, for the caches. */
function encodeApart(write: (writer: ProtobufWriter) => void): Uint8Array {
  const writer = new ProtobufWriter();
  write(writer);
  return writer.take();
}
