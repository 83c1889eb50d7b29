/**
 * OTLP's common values (`KeyValue`, `AnyValue`, and the arrays and lists of them) read straight
 * into the stored form, as `normalizeTraces` would leave them after protobufjs.
 */
import type { AnyValue, KeyValue } from "../span_model.ts";
import { base64 } from "./otlp_normalize.ts";
import type { ProtoReader } from "./proto_reader.ts";

/** One `KeyValue` ending at `end`; an absent value is `{}`. */
export function keyValue(r: ProtoReader, end: number): KeyValue {
  let key = "";
  let value: AnyValue = {};
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) key = r.string();
    else if (field === 2) value = anyValue(r, r.messageEnd(end));
    else r.skip(tag & 7);
  }
  r.finish(end);
  return { key, value };
}

/** One `AnyValue`; of several fields set, the first of `normalizeTraces`'s order wins. */
function anyValue(r: ProtoReader, end: number): AnyValue {
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
        array = values(r, r.messageEnd(end), anyValue);
        break;
      case 6:
        kvlist = values(r, r.messageEnd(end), keyValue);
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
  if (bytes !== undefined) return { bytesValue: base64(bytes) };
  if (array !== undefined) return { arrayValue: { values: array } };
  if (kvlist !== undefined) return { kvlistValue: { values: kvlist } };
  return {};
}

/** The repeated field 1 of `ArrayValue` or `KeyValueList`. */
function values<T>(
  r: ProtoReader,
  end: number,
  read: (r: ProtoReader, end: number) => T,
): T[] {
  const items: T[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) items.push(read(r, r.messageEnd(end)));
    else r.skip(tag & 7);
  }
  r.finish(end);
  return items;
}
