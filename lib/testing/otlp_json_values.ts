/** OTLP/JSON values as plain ones, to compare what a backend answers with what was sent. */

/** An OTLP/JSON `AnyValue`. */
export interface OtlpJsonValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: OtlpJsonValue[] };
  kvlistValue?: { values?: { key: string; value?: OtlpJsonValue }[] };
}

/** Plain JS for an `AnyValue`: ints as numbers, arrays as arrays, key-value lists as objects. */
export function plainValue(value: OtlpJsonValue | undefined): unknown {
  if (value === undefined) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return { bytes: value.bytesValue };
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plainValue);
  if (value.kvlistValue !== undefined) return plainAttributes(value.kvlistValue.values ?? []);
  return null;
}

/** Attributes as one object, keys sorted. */
export function plainAttributes(
  attributes: readonly { key: string; value?: OtlpJsonValue }[] | undefined,
): Record<string, unknown> {
  return Object.fromEntries(
    [...attributes ?? []].sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
      .map((kv) => [kv.key, plainValue(kv.value)]),
  );
}
