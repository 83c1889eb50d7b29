/**
 * The normalizer's attributes and values (`KeyValue`, `AnyValue`, arrays and kvlists) under the
 * ingest limits, as `otlp_proto_values.ts` reads them straight from protobuf.
 */
import type { AnyValue, KeyValue } from "../span_model.ts";
import { type IngestLimits, type LimitTally, limitText } from "./limits.ts";
import { prunedKey } from "./json_prune.ts";

/** A decoded JSON or protobufjs object. */
export type Obj = Record<string, unknown>;

/** The limits and the tally of what they cut, for one request. */
export interface Limiter {
  readonly limits: IngestLimits;
  readonly tally: LimitTally;
}

/** A count the sender gave (a number in JSON, decoded protobuf, or a decimal string). */
export function count(value: unknown): number {
  const number = Number(value ?? 0);
  return Number.isSafeInteger(number) && number > 0 ? number : 0;
}

/** How many elements of `holder[name]` json_prune.ts cut before parsing. */
export function prunedCount(holder: Obj | null, name: string): number {
  return holder === null ? 0 : count(holder[prunedKey(name)]);
}

/** A string field under the text rule; anything else is "". */
export function str(value: unknown, lim: Limiter): string {
  return typeof value === "string" ? limitText(value, lim.limits, lim.tally) : "";
}

/** Thrown inside a value nested past the depth limit; its attribute is dropped. */
class TooDeep {}
const TOO_DEEP = new TooDeep();

/**
 * The `attributes` of `holder` under the limits: the first `attributeCount` kept, any whose value
 * is nested too deep dropped; `dropped` adds the sender's own `droppedAttributesCount`.
 */
export function attributes(holder: unknown, lim: Limiter): { kept: KeyValue[]; dropped: number } {
  if (holder === null || typeof holder !== "object") return { kept: [], dropped: 0 };
  const items = (holder as Obj).attributes;
  const { limits, tally } = lim;
  // What the sender dropped, and what json_prune.ts cut before parsing.
  const pruned = prunedCount(holder as Obj, "attributes");
  tally.attributes += pruned;
  let dropped = count((holder as Obj).droppedAttributesCount) + pruned;
  if (!Array.isArray(items)) return { kept: [], dropped };
  const kept: KeyValue[] = [];
  for (const kv of items) {
    // An entry that is not a KeyValue is dropped too, and counted like the rest.
    if (kv === null || typeof kv !== "object" || kept.length >= limits.attributeCount) {
      dropped++;
      tally.attributes++;
      continue;
    }
    try {
      kept.push(keyValue(kv as Obj, lim, 0));
    } catch (error) {
      if (error !== TOO_DEEP) throw error;
      dropped++;
      tally.attributes++;
      tally.tooDeep++;
    }
  }
  return { kept, dropped };
}

function keyValue(kv: Obj, lim: Limiter, level: number): KeyValue {
  const key = str(kv.key, lim);
  return { key, value: anyValue(kv.value, lim, level) };
}

/** A log record's body: a value nested too deep becomes empty (counted), the record is kept. */
export function logBody(raw: unknown, lim: Limiter): AnyValue {
  try {
    return anyValue(raw, lim, 0);
  } catch (error) {
    if (error !== TOO_DEEP) throw error;
    lim.tally.tooDeep++;
    return {};
  }
}

/** One value inside `level` arrays or kvlists; deeper than the limit throws `TOO_DEEP`. */
function anyValue(raw: unknown, lim: Limiter, level: number): AnyValue {
  if (raw === null || typeof raw !== "object") return {};
  const v = raw as Obj;
  const { limits, tally } = lim;
  if (typeof v.stringValue === "string") return { stringValue: str(v.stringValue, lim) };
  if (typeof v.boolValue === "boolean") return { boolValue: v.boolValue };
  if (present(v.intValue)) return { intValue: String(v.intValue) };
  if (present(v.doubleValue)) return { doubleValue: Number(v.doubleValue) };
  if (typeof v.bytesValue === "string") return { bytesValue: limitBase64(v.bytesValue, lim) };
  if (v.bytesValue instanceof Uint8Array) {
    let bytes = v.bytesValue;
    if (bytes.length > limits.valueLength) {
      bytes = bytes.subarray(0, limits.valueLength);
      tally.truncated++;
    }
    return { bytesValue: base64(bytes) };
  }
  if (present(v.arrayValue)) {
    if (level >= limits.valueDepth) throw TOO_DEEP;
    const array = (v.arrayValue as Obj).values;
    const items = Array.isArray(array) ? array : [];
    const kept = items.slice(0, limits.attributeCount);
    tally.entries += items.length - kept.length + prunedCount(v.arrayValue as Obj, "values");
    return { arrayValue: { values: kept.map((item) => anyValue(item, lim, level + 1)) } };
  }
  if (present(v.kvlistValue)) {
    if (level >= limits.valueDepth) throw TOO_DEEP;
    const list = (v.kvlistValue as Obj | null)?.values;
    const all = Array.isArray(list) ? list : [];
    const items = all.filter((kv): kv is Obj => kv !== null && typeof kv === "object");
    const kept = items.slice(0, limits.attributeCount);
    tally.entries += all.length - kept.length + prunedCount(v.kvlistValue as Obj, "values");
    return { kvlistValue: { values: kept.map((kv) => keyValue(kv, lim, level + 1)) } };
  }
  return {};
}

/** Base64 text of bytes, cut to the length limit in bytes (as protobuf's bytes are). */
function limitBase64(text: string, lim: Limiter): string {
  const max = lim.limits.valueLength;
  if (text.length <= Math.ceil(max / 3) * 4) return text;
  try {
    const bytes = Uint8Array.from(
      atob(text.slice(0, Math.ceil(max / 3) * 4 + 4)),
      (c) => c.charCodeAt(0),
    );
    if (bytes.length <= max) return text;
    lim.tally.truncated++;
    return base64(bytes.subarray(0, max));
  } catch {
    // Not base64: cut as text.
    return str(text, lim);
  }
}

/** Set: decoded protobuf leaves unset fields `null`, JSON leaves them out. */
function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** Standard base64, as OTLP JSON writes bytes. */
export function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return btoa(text);
}
