/**
 * The W3C Trace Context Level 2 `tracestate` list, with the current key grammar.
 *
 * `@opentelemetry/core`'s `TraceState` still applies the old `tenant@system` key rule, so keys
 * such as `foo@`, `foo@@bar` or a 242-character tenant are dropped there although the spec
 * allows them ("Key": a lowercase letter or digit, then up to 255 of `a-z 0-9 _ - * / @`).
 */
import type { TraceState } from "@opentelemetry/api";

/** At most this many list members (spec: "tracestate Limits"). */
export const MAX_MEMBERS = 32;

const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
// Printable ASCII but `,` and `=`, up to 256 characters, not ending in a space.
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const OWS = /^[ \t]+|[ \t]+$/g;

/** Whether `key` is a valid `tracestate` key. */
export function isValidKey(key: string): boolean {
  return KEY.test(key);
}

/** Whether `value` is a valid `tracestate` value. */
export function isValidValue(value: string): boolean {
  return VALUE.test(value);
}

/**
 * Parses a combined `tracestate` header (several header fields joined by commas). Returns
 * `undefined` when any member breaks the grammar or there are more than 32 members: the spec
 * lets a vendor drop the bad member or the whole header, and a half-kept list would claim a
 * state the sender never sent, so the whole header goes. Empty members are skipped and not
 * counted; of a duplicated key the first (left-most, most recent) member is kept.
 */
export function parseTraceState(header: string): W3CTraceState | undefined {
  const members: [string, string][] = [];
  const seen = new Set<string>();
  for (const raw of header.split(",")) {
    const member = raw.replace(OWS, "");
    if (member === "") continue;
    const equals = member.indexOf("=");
    if (equals < 0) return undefined;
    const key = member.slice(0, equals);
    const value = member.slice(equals + 1);
    if (!isValidKey(key) || !isValidValue(value)) return undefined;
    if (seen.has(key)) continue;
    seen.add(key);
    members.push([key, value]);
    if (members.length > MAX_MEMBERS) return undefined;
  }
  return new W3CTraceState(members);
}

/** An immutable `tracestate` list; updates return a new list, the changed key first. */
export class W3CTraceState implements TraceState {
  readonly #members: readonly (readonly [string, string])[];

  constructor(members: readonly (readonly [string, string])[] = []) {
    this.#members = members;
  }

  /** The number of list members. */
  get size(): number {
    return this.#members.length;
  }

  /**
   * Returns a list with `key` set to `value`, moved to the front (spec: "Mutating the
   * tracestate Field"); an invalid key or value leaves the list as it is. Past 32 members the
   * right-most one is removed.
   */
  set(key: string, value: string): W3CTraceState {
    if (!isValidKey(key) || !isValidValue(value)) return this;
    const rest = this.#members.filter(([name]) => name !== key);
    return new W3CTraceState([[key, value] as const, ...rest].slice(0, MAX_MEMBERS));
  }

  /** Returns a list without `key`. */
  unset(key: string): W3CTraceState {
    return new W3CTraceState(this.#members.filter(([name]) => name !== key));
  }

  /** The value of `key`, if present. */
  get(key: string): string | undefined {
    return this.#members.find(([name]) => name === key)?.[1];
  }

  /** The header value; an empty string for an empty list (which is then not sent). */
  serialize(): string {
    return this.#members.map(([key, value]) => `${key}=${value}`).join(",");
  }
}
