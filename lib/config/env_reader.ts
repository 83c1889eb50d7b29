/**
 * Reading settings from a plain environment record.
 *
 * `createEnvReader(env)` hands out typed values and remembers every problem instead of throwing at
 * the first one, so a bad start reports all bad variables at once (`ConfigError`).
 */

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
  /** The raw value, or `undefined` when unset or blank. */
  raw(name: string): string | undefined;
  /** A string; blank counts as unset. */
  string(name: string, fallback: string): string;
  /** A TCP port from 0 to 65535; 0 lets the system pick a free one (tests use it). */
  port(name: string, fallback: number): number;
  /** An integer within `[min, max]`. */
  int(name: string, fallback: number, range?: { min?: number; max?: number }): number;
  /** A finite number within `[min, max]`. */
  number(name: string, fallback: number, range?: { min?: number; max?: number }): number;
  /** `true`/`false` (also `1`/`0`, `yes`/`no`), case-insensitive. */
  bool(name: string, fallback: boolean): boolean;
  /** An absolute http(s) URL. */
  url(name: string, fallback: string, protocols?: readonly string[]): string;
  /** One of a fixed set of values, case-insensitive. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  /** Records a problem found by the caller's own check. */
  problem(name: string, value: string, expected: string): void;
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
    problems.push(`Invalid ${name} "${value}": expected ${expected}`);
  };
  const numeric = (
    name: string,
    fallback: number,
    integer: boolean,
    range: { min?: number; max?: number } = {},
  ): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    const { min = -Infinity, max = Infinity } = range;
    const ok = Number.isFinite(parsed) && (!integer || Number.isInteger(parsed)) &&
      parsed >= min && parsed <= max;
    if (ok) return parsed;
    problem(name, value, describeRange(integer ? "an integer" : "a number", min, max));
    return fallback;
  };

  return {
    raw,
    problem,
    string: (name, fallback) => raw(name) ?? fallback,
    port: (name, fallback) => {
      const value = raw(name);
      if (value === undefined) return fallback;
      const parsed = Number(value);
      if (/^\d+$/.test(value) && parsed <= 65535) return parsed;
      problem(name, value, "an integer from 0 to 65535");
      return fallback;
    },
    int: (name, fallback, range) => numeric(name, fallback, true, range),
    number: (name, fallback, range) => numeric(name, fallback, false, range),
    bool: (name, fallback) => {
      const value = raw(name);
      if (value === undefined) return fallback;
      const lower = value.toLowerCase();
      if (["true", "1", "yes"].includes(lower)) return true;
      if (["false", "0", "no"].includes(lower)) return false;
      problem(name, value, "true or false");
      return fallback;
    },
    url: (name, fallback, protocols = ["http:", "https:"]) => {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (URL.canParse(value) && protocols.includes(new URL(value).protocol)) return value;
      const schemes = protocols.map((p) => p.replace(/:$/, "")).join(" or ");
      problem(name, redactUrl(value), `an absolute ${schemes} URL`);
      return fallback;
    },
    oneOf: (name, allowed, fallback) => {
      const value = raw(name);
      if (value === undefined) return fallback;
      const match = allowed.find((option) => option === value.toLowerCase());
      if (match !== undefined) return match;
      problem(name, value, `one of ${allowed.join(", ")}`);
      return fallback;
    },
    assertValid: () => {
      if (problems.length > 0) throw new ConfigError(problems);
    },
  };
}

function describeRange(kind: string, min: number, max: number): string {
  if (Number.isFinite(min) && Number.isFinite(max)) return `${kind} from ${min} to ${max}`;
  if (Number.isFinite(min)) return `${kind} of at least ${min}`;
  if (Number.isFinite(max)) return `${kind} of at most ${max}`;
  return kind;
}

/** Masks the password of a URL (`amqp://user:***@host`), for logs and error messages. */
export function redactUrl(value: string): string {
  // Greedy up to the last "@" before the path, so an unencoded "@" in the password is masked too.
  if (!URL.canParse(value)) return value.replace(/\/\/([^:/@]+):[^/]*@/, "//$1:***@");
  const url = new URL(value);
  if (url.password === "") return value;
  url.password = "***";
  return url.toString().replace("%2A%2A%2A", "***");
}
