/**
 * What one span may hold, enforced at every entrance (OTLP protobuf and JSON, the span API, WAL
 * replay) while the input is read, as the OpenTelemetry SDK's span limits do on the producing
 * side: attributes past the count are dropped, as are events and links, and counted in the
 * span's `dropped*Count`; strings past the length are cut; values nested past the depth are
 * dropped with their attribute. One text rule too: NUL becomes U+FFFD (SQLite's text columns
 * would end the text there), every other character is kept.
 */
import type { AnyValue, KeyValue } from "../span_model.ts";

/** The limits; see tracing/config.ts for their variables and defaults. */
export interface IngestLimits {
  /** Attributes per span, event, link, resource or log record; entries per array or kvlist. */
  readonly attributeCount: number;
  /** UTF-16 code units per string: attribute keys and values, names, messages; bytes per bytes value. */
  readonly valueLength: number;
  /** Events per span. */
  readonly eventCount: number;
  /** Links per span. */
  readonly linkCount: number;
  /** Levels of arrays and kvlists inside one attribute value; a scalar value is level 0. */
  readonly valueDepth: number;
}

/** The defaults: the OpenTelemetry SDK's 128s, strings up to 16 KiB, 8 levels of nesting. */
export const DEFAULT_INGEST_LIMITS: IngestLimits = Object.freeze({
  attributeCount: 128,
  valueLength: 16_384,
  eventCount: 128,
  linkCount: 128,
  valueDepth: 8,
});

/** What one request lost to the limits, for `/metrics`. */
export interface LimitTally {
  /** Attributes dropped (of spans, events, links, resources, log records; too deep included). */
  attributes: number;
  events: number;
  links: number;
  /** Entries dropped from array and kvlist values. */
  entries: number;
  /** Attributes dropped because their value was nested past the depth limit. */
  tooDeep: number;
  /** Strings and bytes values cut to the length limit. */
  truncated: number;
}

/** A tally at zero. */
export function emptyTally(): LimitTally {
  return { attributes: 0, events: 0, links: 0, entries: 0, tooDeep: 0, truncated: 0 };
}

const NUL = "\u0000";

/** `text` under the text rule: NUL replaced by U+FFFD, cut to `limits.valueLength`. */
export function limitText(text: string, limits: IngestLimits, tally: LimitTally): string {
  let result = text;
  if (result.length > limits.valueLength) {
    result = cutText(result, limits.valueLength);
    tally.truncated++;
  }
  return result.includes(NUL) ? result.replaceAll(NUL, "\uFFFD") : result;
}

/** The first `max` code units of `text`, without half of a surrogate pair at the end. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/**
 * Sets `attributes` on `target` as the SDK's `setAttributes` does, under the limits: a key
 * already there is replaced, a new one added while there is room, else dropped; keys and strings
 * follow the text rule, and a value nested too deep is dropped. Returns how many were dropped.
 */
export function setLimitedAttributes(
  target: KeyValue[],
  attributes: readonly KeyValue[],
  limits: IngestLimits,
  tally: LimitTally,
): number {
  let dropped = 0;
  for (const kv of attributes) {
    const key = limitText(kv.key, limits, tally);
    const value = limitValue(kv.value, limits, tally, 0);
    const index = target.findIndex((existing) => existing.key === key);
    if (value === undefined) {
      tally.tooDeep++;
    } else if (index >= 0) {
      target[index] = { key, value };
      continue;
    } else if (target.length < limits.attributeCount) {
      target.push({ key, value });
      continue;
    }
    tally.attributes++;
    dropped++;
  }
  return dropped;
}

/** `value` under the limits, or `undefined` when it is nested past the depth limit. */
function limitValue(
  value: AnyValue,
  limits: IngestLimits,
  tally: LimitTally,
  level: number,
): AnyValue | undefined {
  if (value.stringValue !== undefined) {
    return { stringValue: limitText(value.stringValue, limits, tally) };
  }
  const list = value.arrayValue?.values ?? value.kvlistValue?.values;
  if (list === undefined) return value;
  if (level >= limits.valueDepth) return undefined;
  const kept = list.slice(0, limits.attributeCount);
  tally.entries += list.length - kept.length;
  if (value.arrayValue !== undefined) {
    const values: AnyValue[] = [];
    for (const item of kept as AnyValue[]) {
      const limited = limitValue(item, limits, tally, level + 1);
      if (limited === undefined) return undefined;
      values.push(limited);
    }
    return { arrayValue: { values } };
  }
  const values: KeyValue[] = [];
  for (const kv of kept as KeyValue[]) {
    const limited = limitValue(kv.value, limits, tally, level + 1);
    if (limited === undefined) return undefined;
    values.push({ key: limitText(kv.key, limits, tally), value: limited });
  }
  return { kvlistValue: { values } };
}
