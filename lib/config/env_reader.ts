/**
 * Reading settings from a plain environment record.
 *
 * `createEnvReader(env)` hands out typed values and remembers every problem instead of throwing at
 * the first one, so a bad start reports all bad variables at once (`ConfigError`). Services read
 * through declared variables (`value`, `optional`); the named accessors serve the parsers' tests
 * and ad-hoc reads.
 */
import * as parsers from "./parsers.ts";
import { redactUrlsIn } from "./redact_url.ts";
import { Invalid, type Parser, type Variable } from "./variables.ts";

/** Raised when one or more variables hold invalid values; the message lists each of them. */
export class ConfigError extends Error {
  /** One line per invalid variable. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** The environment as a plain record, e.g. `Deno.env.toObject()` or a test literal. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Typed accessors over an env record that collect problems rather than throw. */
export interface EnvReader {
  /** A declared variable's value, or its parsed default; it must have a default. */
  value<T>(variable: Variable<T>): T;
  /** A declared variable's value, or `undefined` when unset (its default, if it has one). */
  optional<T>(variable: Variable<T>): T | undefined;
  /** A declared variable's value only when it is set (its default does not count). */
  given<T>(variable: Variable<T>): T | undefined;
  /** The raw value, or `undefined` when unset or blank. */
  raw(name: string): string | undefined;
  /** A string; blank counts as unset. */
  string(name: string, fallback: string): string;
  /** A TCP port from 0 to 65535; 0 lets the system pick a free one (tests use it). */
  port(name: string, fallback: number): number;
  /** An integer within `[min, max]`. */
  int(name: string, fallback: number, range?: parsers.Range): number;
  /** A finite number within `[min, max]`. */
  number(name: string, fallback: number, range?: parsers.Range): number;
  /** `true`/`false` (also `1`/`0`, `yes`/`no`), case-insensitive. */
  bool(name: string, fallback: boolean): boolean;
  /** An absolute http(s) URL. */
  url(name: string, fallback: string, protocols?: readonly string[]): string;
  /** One of a fixed set of values, case-insensitive. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  /** Records a problem found by the caller's own check (a rule across variables). */
  problem(name: string | Variable<unknown>, value: string, expected: string): void;
  /** Throws `ConfigError` when any problem was recorded. */
  assertValid(): void;
}

/** Creates an `EnvReader` over `env`. */
export function createEnvReader(env: Env): EnvReader {
  const problems: string[] = [];
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const problem = (name: string, value: string, expected: string): void => {
    // A URL is quoted without its secrets, whichever parser rejected it.
    problems.push(`Invalid ${name} "${redactUrlsIn(value)}": expected ${expected}`);
  };
  const parse = <T>(name: string, parser: Parser<T>, fallback: T): T => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const parsed = parser(value);
    if (!(parsed instanceof Invalid)) return parsed;
    const shown = parsed.shown ?? value;
    for (const text of typeof shown === "string" ? [shown] : shown) {
      problem(name, text, parsed.expected);
    }
    return fallback;
  };
  const optional = <T>(variable: Variable<T>): T | undefined =>
    parse(variable.name, variable.parse, defaultOf(variable));

  return {
    value: (variable) => {
      const value = optional(variable);
      if (value === undefined) throw new Error(`${variable.name} has no default: use optional()`);
      return value;
    },
    optional,
    given: (variable) => parse(variable.name, variable.parse, undefined),
    raw,
    problem: (name, value, expected) =>
      problem(typeof name === "string" ? name : name.name, value, expected),
    string: (name, fallback) => raw(name) ?? fallback,
    port: (name, fallback) => parse(name, parsers.port(), fallback),
    int: (name, fallback, range) => parse(name, parsers.int(range), fallback),
    number: (name, fallback, range) => parse(name, parsers.number(range), fallback),
    bool: (name, fallback) => parse(name, parsers.bool(), fallback),
    url: (name, fallback, protocols) => parse(name, parsers.url(protocols), fallback),
    oneOf: (name, allowed, fallback) => parse(name, parsers.oneOf(allowed), fallback),
    assertValid: () => {
      if (problems.length > 0) throw new ConfigError(problems);
    },
  };
}

/** The parsed default of `variable`; a default its own parser rejects is a programming error. */
function defaultOf<T>(variable: Variable<T>): T | undefined {
  if (variable.default === undefined) return undefined;
  const parsed = variable.parse(variable.default);
  if (parsed instanceof Invalid) {
    throw new Error(`The default of ${variable.name} is invalid: expected ${parsed.expected}`);
  }
  return parsed;
}
