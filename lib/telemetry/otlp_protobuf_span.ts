/**
 * Our OTLP/protobuf encoding of one span (`opentelemetry.proto.trace.v1.Span`) and the values in
 * it: hex ids decoded straight into the buffer (the last trace id's bytes kept, as spans of one
 * trace come together), each string encoded once, times as exact fixed64 nanoseconds.
 *
 * `otlp_protobuf_traces.ts` puts spans into export requests; the official serializer is the
 * oracle of both (`otlp_protobuf_traces_test.ts`).
 */
import type { Attributes, AttributeValue, HrTime, Link, SpanContext } from "@opentelemetry/api";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace";
import type { ProtobufWriter } from "./protobuf_writer.ts";

/** Protobuf wire type of a length-delimited field. */
export const LENGTH_DELIMITED = 2;
const VARINT = 0;
const FIXED64 = 1;
const FIXED32 = 5;

/** Bytes reserved for a length; a wrong guess costs one move of the message body. */
export const RESERVE_SMALL = 1;
/** Bytes reserved for the length of a span. */
export const RESERVE_SPAN = 2;

// SpanFlags of the OTLP proto: whether the parent's is-remote bit is known, and its value.
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;

const INT64_MIN = -(2 ** 63);
const INT64_LIMIT = 2 ** 63;

/** Writes spans; keeps the last trace id's bytes for the next span of the same trace. */
export class OtlpSpanWriter {
  #lastTraceId = "";
  readonly #lastTraceBytes = new Uint8Array(16);

  /** Writes `span` as the body of an OTLP `Span` message (no tag, no length). */
  write(writer: ProtobufWriter, span: ReadableSpan): void {
    const context = span.spanContext();
    const parent = span.parentSpanContext;
    writer.tag(1, LENGTH_DELIMITED);
    this.#traceId(writer, context.traceId);
    writer.tag(2, LENGTH_DELIMITED);
    writer.hexBytes(context.spanId);
    writeTraceState(writer, 3, context);
    if (parent?.spanId) {
      writer.tag(4, LENGTH_DELIMITED);
      writer.hexBytes(parent.spanId);
    }
    writer.tag(5, LENGTH_DELIMITED);
    writer.string(span.name);
    // The API's SpanKind starts at INTERNAL = 0; OTLP's at UNSPECIFIED = 0.
    writer.tag(6, VARINT);
    writer.varint(span.kind + 1);
    writer.tag(7, FIXED64);
    writeTime(writer, span.startTime);
    writer.tag(8, FIXED64);
    writeTime(writer, span.endTime);
    writeAttributes(writer, 9, span.attributes);
    writeCount(writer, 10, span.droppedAttributesCount);
    for (const event of span.events) writeEvent(writer, event);
    writeCount(writer, 12, span.droppedEventsCount);
    for (const link of span.links) writeLink(writer, link);
    writeCount(writer, 14, span.droppedLinksCount);
    writer.tag(15, LENGTH_DELIMITED);
    const status = writer.begin(RESERVE_SMALL);
    if (span.status.message) {
      writer.tag(2, LENGTH_DELIMITED);
      writer.string(span.status.message);
    }
    writeCount(writer, 3, span.status.code);
    writer.end(status, RESERVE_SMALL);
    writer.tag(16, FIXED32);
    writer.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
  }

  /** A trace id, from the bytes of the previous span's when it is the same trace. */
  #traceId(writer: ProtobufWriter, hex: string): void {
    const bytes = this.#lastTraceBytes;
    if (hex !== this.#lastTraceId) {
      const at = writer.pos;
      writer.hexBytes(hex);
      if (writer.pos - at === 17) {
        bytes.set(writer.buffer.subarray(at + 1, at + 17));
        this.#lastTraceId = hex;
      }
      return;
    }
    writer.ensure(17);
    const buffer = writer.buffer;
    let pos = writer.pos;
    buffer[pos++] = 16;
    for (let index = 0; index < 16; index++) buffer[pos++] = bytes[index]!;
    writer.pos = pos;
  }
}

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (isRemote ? FLAGS_IS_REMOTE : 0);
}

function writeCount(writer: ProtobufWriter, field: number, count: number): void {
  if (!count) return;
  writer.tag(field, VARINT);
  writer.varint(count);
}

function writeTraceState(writer: ProtobufWriter, field: number, context: SpanContext): void {
  const traceState = context.traceState?.serialize();
  if (!traceState) return;
  writer.tag(field, LENGTH_DELIMITED);
  writer.string(traceState);
}

/**
 * HrTime `[seconds, nanos]` as fixed64 nanoseconds, exactly: seconds × 10^9 passes 2^53, so the
 * seconds are split at 2^16 and every partial sum stays below 2^49. Only division by powers of
 * two and `Math.floor` are used: `%` on doubles is a runtime call in V8.
 */
function writeTime(writer: ProtobufWriter, time: HrTime): void {
  const seconds = time[0];
  const secondsHigh = Math.floor(seconds / 0x10000);
  const upper = secondsHigh * 1e9; // still to be multiplied by 2^16
  const upperHigh = Math.floor(upper / 0x10000);
  const lowSum = (upper - upperHigh * 0x10000) * 0x10000 +
    (seconds - secondsHigh * 0x10000) * 1e9 + Math.trunc(time[1]);
  const carry = Math.floor(lowSum / 0x100000000);
  writer.fixed64(lowSum - carry * 0x100000000, upperHigh + carry);
}

function writeEvent(writer: ProtobufWriter, event: TimedEvent): void {
  writer.tag(11, LENGTH_DELIMITED);
  const start = writer.begin(RESERVE_SMALL);
  writer.tag(1, FIXED64);
  writeTime(writer, event.time);
  writer.tag(2, LENGTH_DELIMITED);
  writer.string(event.name);
  if (event.attributes) writeAttributes(writer, 3, event.attributes);
  writeCount(writer, 4, event.droppedAttributesCount ?? 0);
  writer.end(start, RESERVE_SMALL);
}

function writeLink(writer: ProtobufWriter, link: Link): void {
  writer.tag(13, LENGTH_DELIMITED);
  const start = writer.begin(RESERVE_SMALL);
  const context = link.context;
  writer.tag(1, LENGTH_DELIMITED);
  writer.hexBytes(context.traceId);
  writer.tag(2, LENGTH_DELIMITED);
  writer.hexBytes(context.spanId);
  writeTraceState(writer, 3, context);
  if (link.attributes) writeAttributes(writer, 4, link.attributes);
  writeCount(writer, 5, link.droppedAttributesCount ?? 0);
  writer.tag(6, FIXED32);
  writer.fixed32(spanFlags(context.traceFlags, context.isRemote));
  writer.end(start, RESERVE_SMALL);
}

/** Repeated `KeyValue` under `field`. */
export function writeAttributes(
  writer: ProtobufWriter,
  field: number,
  attributes: Attributes,
): void {
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    writer.tag(field, LENGTH_DELIMITED);
    writeKeyValue(writer, key, attributes[key]);
  }
}

function writeKeyValue(writer: ProtobufWriter, key: string, value: unknown): void {
  const start = writer.begin(RESERVE_SMALL);
  writer.tag(1, LENGTH_DELIMITED);
  writer.string(key);
  writer.tag(2, LENGTH_DELIMITED);
  const valueStart = writer.begin(RESERVE_SMALL);
  writeAnyValue(writer, value);
  writer.end(valueStart, RESERVE_SMALL);
  writer.end(start, RESERVE_SMALL);
}

/**
 * The body of an `AnyValue`. Integers in the int64 range become `int_value`, other numbers
 * `double_value`; `null` and `undefined` leave it empty (as the official serializer does).
 */
function writeAnyValue(writer: ProtobufWriter, value: unknown): void {
  switch (typeof value) {
    case "string":
      writer.tag(1, LENGTH_DELIMITED);
      writer.string(value);
      return;
    case "boolean":
      writer.tag(2, VARINT);
      writer.varint(value ? 1 : 0);
      return;
    case "number":
      if (Number.isInteger(value) && value >= INT64_MIN && value < INT64_LIMIT) {
        writer.tag(3, VARINT);
        writer.int64(value);
      } else {
        writer.tag(4, FIXED64);
        writer.double(value);
      }
      return;
    case "object":
      if (value === null) return;
      if (value instanceof Uint8Array) {
        writer.tag(7, LENGTH_DELIMITED);
        writer.bytes(value);
      } else if (Array.isArray(value)) {
        writer.tag(5, LENGTH_DELIMITED);
        const start = writer.begin(RESERVE_SMALL);
        for (const item of value as AttributeValue[]) {
          writer.tag(1, LENGTH_DELIMITED);
          const itemStart = writer.begin(RESERVE_SMALL);
          writeAnyValue(writer, item);
          writer.end(itemStart, RESERVE_SMALL);
        }
        writer.end(start, RESERVE_SMALL);
      } else {
        writer.tag(6, LENGTH_DELIMITED);
        const start = writer.begin(RESERVE_SMALL);
        writeAttributes(writer, 1, value as Attributes);
        writer.end(start, RESERVE_SMALL);
      }
  }
}
