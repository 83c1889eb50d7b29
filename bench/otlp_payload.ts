/**
 * OTLP trace batches for the ingest benchmark. One template batch is made by the official SDK and
 * serialized by the official `@opentelemetry/otlp-transformer` serializers (JSON or protobuf);
 * each request then gets a copy whose trace ids carry the request's number, so every batch stores
 * new traces without paying for serialization in the load generator.
 *
 * Trace ids are `<prefix: 16 hex><trace number in batch: 8 hex><request number: 8 hex>`. Start
 * and end times move forward with the clock, as in real traffic: a store indexed by time takes
 * replayed old times as scattered inserts, which would understate what it ingests.
 */
import { SpanKind } from "@opentelemetry/api";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { context, trace } from "@opentelemetry/api";

/** How a batch is encoded. */
export type OtlpEncoding = "json" | "protobuf";

/** The service name the benchmark's spans carry. */
export const INGEST_SERVICE = "bench-ingest";

/** Spans per trace in a batch; the first is the SERVER root, the rest its children. */
export const SPANS_PER_TRACE = 8;

/** Operation names in a trace, root first; queries search for these. */
export const OPERATIONS = [
  "POST /orders",
  "GET",
  "SELECT users",
  "INSERT orders",
  "send messages",
  "process messages",
  "GET /users/:username",
  "SELECT orders",
] as const;

const ENCODER = new TextEncoder();

/** Batches for one load run. */
export interface OtlpBatches {
  contentType: string;
  /**
   * The template with request number `index + 1` stamped into every trace id and every span
   * time moved by the time since the template was made (`nowMs`, default the clock).
   */
  batch(index: number, nowMs?: number): Uint8Array;
}

/** The trace id of trace `traceNo` of request `index` of a run using `prefix`. */
export function traceIdFor(prefix: string, traceNo: number, index: number): string {
  return `${prefix}${hex8(traceNo)}${hex8(index + 1)}`;
}

/** Builds the template for `spansPerBatch` spans; `prefix` is 16 hex characters. */
export function createOtlpBatches(
  encoding: OtlpEncoding,
  spansPerBatch: number,
  prefix: string,
): OtlpBatches {
  if (!/^[0-9a-f]{16}$/.test(prefix)) {
    throw new Error(`Invalid trace prefix "${prefix}": expected 16 lowercase hex characters`);
  }
  const madeAtMs = Date.now();
  const spans = makeSpans(spansPerBatch, prefix);
  const template = encoding === "json"
    ? JsonTraceSerializer.serializeRequest(spans)!
    : ProtobufTraceSerializer.serializeRequest(spans)!;
  const marker = encoding === "json"
    ? ENCODER.encode(prefix)
    : Uint8Array.from(prefix.match(/../g)!.map((pair) => parseInt(pair, 16)));
  // Where the request number sits: after the prefix and the trace number.
  const skip = encoding === "json" ? 24 : 12;
  const slots = findAll(template, marker).map((offset) => offset + skip);
  if (slots.length !== spansPerBatch) {
    throw new Error(`Expected ${spansPerBatch} trace ids in the template, found ${slots.length}`);
  }
  const times = findTimes(template, spans, encoding);
  return {
    contentType: encoding === "json" ? "application/json" : "application/x-protobuf",
    batch(index, nowMs = Date.now()) {
      const copy = template.slice();
      const view = new DataView(copy.buffer);
      const number = (index + 1) >>> 0;
      const text = encoding === "json" ? ENCODER.encode(hex8(number)) : undefined;
      for (const slot of slots) {
        if (text !== undefined) copy.set(text, slot);
        else view.setUint32(slot, number);
      }
      const shiftNs = BigInt(Math.max(0, Math.round(nowMs - madeAtMs))) * 1_000_000n;
      for (const { slot, nanos } of times) {
        const moved = nanos + shiftNs;
        // Decimal nanoseconds keep their 19 digits until the year 2286, so the length holds.
        if (encoding === "json") ENCODER.encodeInto(moved.toString(), copy.subarray(slot));
        else view.setBigUint64(slot, moved, true);
      }
      return copy;
    },
  };
}

/** A span time in the template: where it is and its value in nanoseconds. */
interface TimeSlot {
  slot: number;
  nanos: bigint;
}

/** Finds every span's start and end time in the serialized template. */
function findTimes(
  template: Uint8Array,
  spans: readonly ReadableSpan[],
  encoding: OtlpEncoding,
): TimeSlot[] {
  const values = new Set<bigint>();
  for (const span of spans) {
    values.add(hrTimeToNanos(span.startTime));
    values.add(hrTimeToNanos(span.endTime));
  }
  const found = new Map<number, bigint>();
  for (const nanos of values) {
    const needle = encoding === "json" ? ENCODER.encode(`"${nanos}"`) : fixed64(nanos);
    // JSON: skip the opening quote; protobuf: the 8 bytes themselves.
    const skip = encoding === "json" ? 1 : 0;
    for (const offset of findAll(template, needle)) found.set(offset + skip, nanos);
  }
  if (found.size !== spans.length * 2) {
    throw new Error(`Expected ${spans.length * 2} span times in the template, found ${found.size}`);
  }
  return [...found].map(([slot, nanos]) => ({ slot, nanos }));
}

function hrTimeToNanos([seconds, nanos]: readonly [number, number]): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
}

function fixed64(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, true);
  return bytes;
}

function makeSpans(count: number, prefix: string) {
  let traceNo = 0;
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      "service.name": INGEST_SERVICE,
      "service.version": "1.0.0",
      "host.name": "bench",
    }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    idGenerator: {
      generateTraceId: () => traceIdFor(prefix, traceNo++, -1),
      generateSpanId: () => crypto.randomUUID().replaceAll("-", "").slice(0, 16),
    },
  });
  const tracer = provider.getTracer("bench", "1.0.0");
  for (let made = 0; made < count;) {
    const root = tracer.startSpan(OPERATIONS[0], {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": "POST",
        "http.route": "/orders",
        "url.path": "/orders",
        "http.response.status_code": 201,
        "server.address": "127.0.0.1",
        "server.port": 3000,
      },
    });
    made++;
    const parent = trace.setSpan(context.active(), root);
    for (let i = 1; i < SPANS_PER_TRACE && made < count; i++, made++) {
      tracer.startSpan(OPERATIONS[i]!, {
        kind: SpanKind.CLIENT,
        attributes: {
          "db.system.name": "sqlite",
          "db.operation.name": "SELECT",
          "db.query.text": "SELECT * FROM users WHERE username = ?",
          "server.port": 3001,
        },
      }, parent).end();
    }
    root.end();
  }
  const spans = exporter.getFinishedSpans();
  void provider.shutdown();
  return spans;
}

function findAll(haystack: Uint8Array, needle: Uint8Array): number[] {
  const found: number[] = [];
  outer: for (let i = 0; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    found.push(i);
  }
  return found;
}

function hex8(value: number): string {
  return (value >>> 0).toString(16).padStart(8, "0");
}
