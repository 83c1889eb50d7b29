/** Parsers for declared variables; each says what a valid text looks like when it is not one. */
import { redactUrl } from "./redact_url.ts";
import { Invalid, type Parser } from "./variables.ts";

/** Bounds of a numeric variable. */
export interface Range {
  min?: number;
  max?: number;
}

/** Any text. */
export function text(): Parser<string> {
  return (value) => value;
}

/** A bearer token: visible ASCII without spaces (RFC 6750's token68 and more); never shown. */
export function token(): Parser<string> {
  return (value) =>
    /^[\x21-\x7e]+$/.test(value)
      ? value
      : new Invalid("visible ASCII characters without spaces", "***");
}

/** A TCP port from 0 to 65535; 0 lets the system pick a free one (tests use it). */
export function port(): Parser<number> {
  return (value) => {
    const parsed = Number(value);
    return /^\d+$/.test(value) && parsed <= 65535
      ? parsed
      : new Invalid("an integer from 0 to 65535");
  };
}

/** An integer within `range`. */
export function int(range: Range = {}): Parser<number> {
  return numeric(true, range);
}

/** A finite number within `range`. */
export function number(range: Range = {}): Parser<number> {
  return numeric(false, range);
}

function numeric(integer: boolean, { min = -Infinity, max = Infinity }: Range): Parser<number> {
  return (value) => {
    const parsed = Number(value);
    const ok = Number.isFinite(parsed) && (!integer || Number.isInteger(parsed)) &&
      parsed >= min && parsed <= max;
    return ok ? parsed : new Invalid(describeRange(integer ? "an integer" : "a number", min, max));
  };
}

/** `true`/`false` (also `1`/`0`, `yes`/`no`), case-insensitive. */
export function bool(): Parser<boolean> {
  return (value) => {
    const lower = value.toLowerCase();
    if (["true", "1", "yes"].includes(lower)) return true;
    if (["false", "0", "no"].includes(lower)) return false;
    return new Invalid("true or false");
  };
}

/** An absolute URL with one of `protocols`; an invalid one is quoted without its password. */
export function url(protocols: readonly string[] = ["http:", "https:"]): Parser<string> {
  const schemes = protocols.map((p) => p.replace(/:$/, "")).join(" or ");
  return (value) =>
    URL.canParse(value) && protocols.includes(new URL(value).protocol)
      ? value
      : new Invalid(`an absolute ${schemes} URL`, redactUrl(value));
}

/** One of a fixed set of values, case-insensitive. */
export function oneOf<T extends string>(allowed: readonly T[]): Parser<T> {
  return (value) =>
    allowed.find((option) => option === value.toLowerCase()) ??
      new Invalid(`one of ${allowed.join(", ")}`);
}

/** Text matching `pattern`, else `expected`. */
export function matching(pattern: RegExp, expected: string): Parser<string> {
  return (value) => pattern.test(value) ? value : new Invalid(expected);
}

/**
 * A comma-separated list whose items each pass `item` (blank items are skipped); every bad item
 * is reported on its own, quoted, with `expected`.
 */
export function list<T>(item: Parser<T>, expected: string): Parser<T[]> {
  return (value) => {
    const items = value.split(",").map((part) => part.trim()).filter((part) => part !== "");
    const parsed = items.map(item);
    const bad = items.filter((_, i) => parsed[i] instanceof Invalid);
    return bad.length === 0 ? parsed as T[] : new Invalid(expected, bad);
  };
}

/** The `key=value,key2=value2` lists (percent-encoded) that `OTEL_*` variables use. */
export function keyValueList(): Parser<Record<string, string>> {
  return (value) => {
    const result: Record<string, string> = {};
    for (const entry of value.split(",")) {
      if (entry.trim() === "") continue;
      const at = entry.indexOf("=");
      const key = at > 0 ? safeDecode(entry.slice(0, at).trim()) : undefined;
      const item = at > 0 ? safeDecode(entry.slice(at + 1).trim()) : undefined;
      if (key === undefined || item === undefined || key === "") {
        return new Invalid("a comma-separated list of key=value pairs");
      }
      result[key] = item;
    }
    return result;
  };
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function describeRange(kind: string, min: number, max: number): string {
  if (Number.isFinite(min) && Number.isFinite(max)) return `${kind} from ${min} to ${max}`;
  if (Number.isFinite(min)) return `${kind} of at least ${min}`;
  if (Number.isFinite(max)) return `${kind} of at most ${max}`;
  return kind;
}
