/**
 * Parameter syntaxes jaeger-query takes from Go: RFC 3339 times with nanoseconds (`RFC3339Nano`),
 * `time.ParseDuration` durations and `strconv.ParseBool` booleans. Errors are 400s that name the
 * parameter as the client spelled it.
 */
import { HttpError } from "../../lib/http/errors.ts";

/** A parameter as given: the name the client used and its value. */
export interface GivenParam {
  name: string;
  value: string;
}

const RFC3339 =
  /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An RFC 3339 time with up to nanosecond digits (Go's RFC3339Nano) as whole epoch microseconds
 * and the nanoseconds beyond them (a double cannot hold epoch nanoseconds exactly).
 */
export function parseRfc3339(param: GivenParam): { micros: number; extraNanos: number } {
  const match = RFC3339.exec(param.value);
  const ms = match === null ? NaN : Date.parse(`${match[1]}T${match[2]}${match[4]!.toUpperCase()}`);
  if (!Number.isFinite(ms)) {
    throw invalid(
      `Invalid ${param.name} "${param.value}": expected an RFC 3339 time like 2026-01-02T15:04:05.123Z`,
    );
  }
  const fraction = (match![3] ?? "").padEnd(9, "0");
  return {
    micros: ms * 1000 + Number(fraction.slice(0, 6)),
    extraNanos: Number(fraction.slice(6)),
  };
}

const GO_DURATION_UNITS_US: Record<string, number> = {
  ns: 0.001,
  us: 1,
  "µs": 1,
  "μs": 1,
  ms: 1000,
  s: 1e6,
  m: 6e7,
  h: 3.6e9,
};

/** A duration in Go's `time.ParseDuration` syntax (`1.5s`, `100ms`, `1h30m`, `0`), in µs. */
export function parseGoDurationMicros(param: GivenParam): number {
  const text = param.value.startsWith("+") ? param.value.slice(1) : param.value;
  if (text === "0") return 0;
  const parts = [...text.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw invalid(
      `Invalid ${param.name} "${param.value}": expected a duration like 1.5s, 100ms or 1h30m`,
    );
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * GO_DURATION_UNITS_US[p[2]!]!, 0);
}

/** A boolean as Go's `strconv.ParseBool` reads it. */
export function parseGoBool(param: GivenParam): boolean {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(param.value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(param.value)) return false;
  throw invalid(`Invalid ${param.name} "${param.value}": expected true or false`);
}

function invalid(message: string): HttpError {
  return new HttpError(400, "invalid_parameter", message);
}
