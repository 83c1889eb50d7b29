/**
 * OTLP's common values (`KeyValue`, `AnyValue`, and the arrays and lists of them) read straight
 * into the stored form, as `normalizeTraces` would leave them after protobufjs, under the ingest
 * limits: what is over a limit is skipped on the wire, never decoded.
 */
import type { AnyValue, KeyValue } from "../span_model.ts";
import { base64 } from "./otlp_normalize_values.ts";
import type { IngestLimits, LimitTally } from "./limits.ts";
import type { ProtoReader } from "./proto_reader.ts";

/** The limits and the tally of what they cut, for one request. */
export interface Limiter {
  readonly limits: IngestLimits;
  readonly tally: LimitTally;
}

/** Thrown inside a value nested past the depth limit; its attribute is dropped. */
class TooDeep {}
const TOO_DEEP = new TooDeep();

/**
 * Reads one attribute (a `KeyValue` ending at `end`) into `into`, unless `into` is full or its
 * value is nested too deep; returns 1 when it was dropped, else 0.
 */
export function readAttribute(
  r: ProtoReader,
  end: number,
  into: KeyValue[],
  limiter: Limiter,
): number {
  const { limits, tally } = limiter;
  if (into.length >= limits.attributeCount) {
    r.pos = end;
    tally.attributes++;
    return 1;
  }
  try {
    into.push(keyValue(r, end, limiter, 0));
    return 0;
  } catch (error) {
    if (error !== TOO_DEEP) throw error;
    r.pos = end;
    tally.attributes++;
    tally.tooDeep++;
    return 1;
  }
}

/** Reads attributes (field 1 of the message ending at `end`), as a resource holds them. */
export function readAttributeList(r: ProtoReader, end: number, limiter: Limiter): KeyValue[] {
  const attributes: KeyValue[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) readAttribute(r, r.messageEnd(end), attributes, limiter);
    else r.skip(tag & 7);
  }
  r.finish(end);
  return attributes;
}

/** A log record's body (an `AnyValue` ending at `end`); nested too deep it is `{}`, counted. */
export function readBody(r: ProtoReader, end: number, limiter: Limiter): AnyValue {
  try {
    return anyValue(r, end, limiter, 0);
  } catch (error) {
    if (error !== TOO_DEEP) throw error;
    r.pos = end;
    limiter.tally.tooDeep++;
    return {};
  }
}

/** One `KeyValue` ending at `end`; an absent value is `{}`. */
function keyValue(r: ProtoReader, end: number, limiter: Limiter, level: number): KeyValue {
  let key = "";
  let value: AnyValue = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) key = r.string();
    else if (field === 2) value = anyValue(r, r.messageEnd(end), limiter, level);
    else r.skip(tag & 7);
  }
  r.finish(end);
  return { key, value };
}

/**
 * One `AnyValue` inside `level` arrays or kvlists; of several fields set, the first of
 * `normalizeTraces`'s order wins.
 */
function anyValue(r: ProtoReader, end: number, limiter: Limiter, level: number): AnyValue {
  let text: string | undefined;
  let bool: boolean | undefined;
  let int: string | undefined;
  let double: number | undefined;
  let array: AnyValue[] | undefined;
  let kvlist: KeyValue[] | undefined;
  let bytes: Uint8Array | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        text = r.string();
        break;
      case 2:
        bool = r.uint32() !== 0;
        break;
      case 3:
        int = r.int64Text();
        break;
      case 4:
        double = r.double();
        break;
      case 5:
        if (level >= limiter.limits.valueDepth) throw TOO_DEEP;
        array = values(
          r,
          r.messageEnd(end),
          limiter,
          (end) => anyValue(r, end, limiter, level + 1),
        );
        break;
      case 6:
        if (level >= limiter.limits.valueDepth) throw TOO_DEEP;
        kvlist = values(
          r,
          r.messageEnd(end),
          limiter,
          (end) => keyValue(r, end, limiter, level + 1),
        );
        break;
      case 7:
        bytes = r.bytes();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.finish(end);
  if (text !== undefined) return { stringValue: text };
  if (bool !== undefined) return { boolValue: bool };
  if (int !== undefined) return { intValue: int };
  if (double !== undefined) return { doubleValue: double };
  if (bytes !== undefined) return { bytesValue: base64(limitBytes(bytes, limiter)) };
  if (array !== undefined) return { arrayValue: { values: array } };
  if (kvlist !== undefined) return { kvlistValue: { values: kvlist } };
  return {};
}

/** A bytes value cut to the length limit. */
export function limitBytes(bytes: Uint8Array, limiter: Limiter): Uint8Array {
  if (bytes.length <= limiter.limits.valueLength) return bytes;
  limiter.tally.truncated++;
  return bytes.subarray(0, limiter.limits.valueLength);
}

/** The repeated field 1 of `ArrayValue` or `KeyValueList`, up to the attribute count. */
function values<T>(
  r: ProtoReader,
  end: number,
  limiter: Limiter,
  read: (end: number) => T,
): T[] {
  const items: T[] = [];
  const max = limiter.limits.attributeCount;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1) r.skip(tag & 7);
    else if (items.length < max) items.push(read(r.messageEnd(end)));
    else {
      r.pos = r.messageEnd(end);
      limiter.tally.entries++;
    }
  }
  r.finish(end);
  return items;
}
