/**
 * Our OTLP/protobuf encoding of spans (`ExportTraceServiceRequest`). Profiles put the official
 * serializer first among tracing's costs; this one writes each span once, in one pass, into a
 * reused buffer (`otlp_protobuf_span.ts`), and keeps the encoded resource and scope, which are the
 * same objects batch after batch.
 *
 * `EncodedSpanRuns` takes spans one at a time, as they end, into one run of bytes per resource
 * and scope, and makes the request from the runs: span objects need not wait for a batch.
 * `OtlpProtobufTraceEncoder` encodes a batch of spans the same way, for the official exporter's
 * serializer slot.
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

/** A run's first buffer: a span is a few hundred bytes, and a run grows by doubling. */
const RUN_INITIAL_BYTES = 16 * 1024;

/** One export request's bytes and how many spans they hold. */
export interface EncodedSpans {
  readonly bytes: Uint8Array;
  readonly spans: number;
}

/**
 * Spans encoded as they are added, one run of bytes per resource and scope in first-seen order
 * (the official serializer's grouping), until `take()` makes them one export request.
 */
export class EncodedSpanRuns {
  readonly #spanWriter = new OtlpSpanWriter();
  readonly #headers = new ResourceAndScopeBytes();
  readonly #request = new ProtobufWriter();
  #runs = new Map<Resource, Map<InstrumentationScope, ProtobufWriter>>();
  #spare: ProtobufWriter[] = [];
  #spans = 0;
  #bytes = 0;

  /** Spans added since the last `take()`. */
  get spans(): number {
    return this.#spans;
  }

  /** Their encoded bytes (the request adds a few per resource and scope). */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Encodes `span` into its run, unless that would take `bytes` past `maxBytes`: then nothing
   * is kept and it answers `false`.
   */
  add(span: ReadableSpan, maxBytes = Infinity): boolean {
    const run = this.#runFor(span.resource, span.instrumentationScope);
    const before = run.pos;
    run.tag(2, LENGTH_DELIMITED);
    const start = run.begin(RESERVE_SPAN);
    this.#spanWriter.write(run, span);
    run.end(start, RESERVE_SPAN);
    const added = run.pos - before;
    if (this.#bytes + added > maxBytes) {
      run.pos = before;
      return false;
    }
    this.#bytes += added;
    this.#spans++;
    return true;
  }

  /** The request of every span added since the last `take()`; `undefined` when there is none. */
  take(): EncodedSpans | undefined {
    const spans = this.#spans;
    if (spans === 0) return undefined;
    const request = this.#request;
    request.reset();
    for (const [resource, runs] of this.#runs) this.#resourceSpans(resource, runs);
    // A few runs' buffers are kept for the next batch; a passing scope's are let go.
    for (const runs of this.#runs.values()) {
      for (const run of runs.values()) {
        run.reset();
        if (this.#spare.length < 4) this.#spare.push(run);
      }
    }
    this.#runs = new Map();
    this.#spans = 0;
    this.#bytes = 0;
    return { bytes: request.take(), spans };
  }

  #runFor(resource: Resource, scope: InstrumentationScope): ProtobufWriter {
    let runs = this.#runs.get(resource);
    if (runs === undefined) this.#runs.set(resource, runs = new Map());
    let run = runs.get(scope);
    if (run === undefined) {
      run = this.#spare.pop() ?? new ProtobufWriter(RUN_INITIAL_BYTES);
      runs.set(scope, run);
    }
    return run;
  }

  #resourceSpans(resource: Resource, runs: Map<InstrumentationScope, ProtobufWriter>): void {
    let empty = true;
    for (const run of runs.values()) if (run.pos > 0) empty = false;
    // Every span of this resource was refused by `add()`: no empty `ResourceSpans`.
    if (empty) return;
    const writer = this.#request;
    writer.tag(1, LENGTH_DELIMITED);
    const start = writer.begin(RESERVE_BATCH);
    writer.tag(1, LENGTH_DELIMITED);
    writer.bytes(this.#headers.resource(resource));
    for (const [scope, run] of runs) {
      if (run.pos === 0) continue;
      writer.tag(2, LENGTH_DELIMITED);
      const scopeStart = writer.begin(RESERVE_BATCH);
      writer.tag(1, LENGTH_DELIMITED);
      writer.bytes(this.#headers.scope(scope));
      writer.raw(run.buffer.subarray(0, run.pos));
      if (scope.schemaUrl) {
        writer.tag(3, LENGTH_DELIMITED);
        writer.string(scope.schemaUrl);
      }
      writer.end(scopeStart, RESERVE_BATCH);
    }
    if (resource.schemaUrl) {
      writer.tag(3, LENGTH_DELIMITED);
      writer.string(resource.schemaUrl);
    }
    writer.end(start, RESERVE_BATCH);
  }
}

/** Encodes spans as one OTLP `ExportTraceServiceRequest`. */
export class OtlpProtobufTraceEncoder {
  readonly #runs = new EncodedSpanRuns();

  /** The request's bytes (a fresh copy the caller may keep). */
  encode(spans: readonly ReadableSpan[]): Uint8Array {
    for (const span of spans) this.#runs.add(span);
    return this.#runs.take()?.bytes ?? new Uint8Array(0);
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

/** The encoded `Resource` and `InstrumentationScope` messages, kept per object. */
class ResourceAndScopeBytes {
  readonly #resources = new WeakMap<Resource, Uint8Array>();
  readonly #scopes = new WeakMap<InstrumentationScope, Uint8Array>();

  resource(resource: Resource): Uint8Array {
    const cached = this.#resources.get(resource);
    if (cached !== undefined) return cached;
    const bytes = encodeApart((writer) => writeAttributes(writer, 1, resource.attributes));
    // Attributes still being detected may change; cache only what is final.
    if (!resource.asyncAttributesPending) this.#resources.set(resource, bytes);
    return bytes;
  }

  scope(scope: InstrumentationScope): Uint8Array {
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

/** Encodes a small message with its own writer, for the caches. */
function encodeApart(write: (writer: ProtobufWriter) => void): Uint8Array {
  const writer = new ProtobufWriter(256);
  write(writer);
  return writer.take();
}
