/** Parsing of the query parameters the query APIs share: durations, times, tags, limits. */
import { HttpError } from "../../lib/http/errors.ts";

const UNITS_US: Record<string, number> = {
  ns: 0.001,
  us: 1,
  "µs": 1,
  ms: 1000,
  s: 1e6,
  m: 6e7,
  h: 3.6e9,
};

/** A duration (`250ms`, `1.5s`, `1h30m`, `100us`; a bare number counts as `unit`) in µs. */
export function parseDuration(name: string, text: string, unit: "ms" | "us" = "ms"): number {
  const bare = Number(text);
  if (text.trim() !== "" && Number.isFinite(bare) && bare >= 0) return bare * UNITS_US[unit]!;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  const joined = parts.map((p) => p[0]).join("");
  if (parts.length === 0 || joined !== text.trim()) {
    throw new HttpError(
      400,
      "invalid_request",
      `Invalid ${name} "${text}": expected a duration like 250ms, 1.5s or 2h`,
    );
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS_US[p[2]!]!, 0);
}

/** A time as epoch microseconds, from an integer (µs) or RFC 3339 text. */
export function parseTimeMicros(name: string, text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (/^\d{4}-\d\d-\d\d/.test(text) && Number.isFinite(ms)) return ms * 1000;
  throw new HttpError(
    400,
    "invalid_request",
    `Invalid ${name} "${text}": expected epoch microseconds or an RFC 3339 time`,
  );
}

/** An integer limit within `[1, max]`. */
export function parseLimit(text: string | undefined, fallback: number, max = 1000): number {
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new HttpError(
      400,
      "invalid_request",
      `Invalid limit "${text}": expected an integer from 0 to ${max}`,
    );
  }
  return value === 0 ? fallback : value;
}

/**
 * Tags from `tags=k=v` / `tag=k:v` (repeatable) or Jaeger's `tags={"k":"v"}` JSON; also the
 * logfmt-ish `tags=k=v k2=v2`.
 */
export function parseTags(values: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const value of values) {
    const text = value.trim();
    if (text === "") continue;
    if (text.startsWith("{")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw badTags(text);
      }
      if (parsed === null || typeof parsed !== "object") throw badTags(text);
      for (const [k, v] of Object.entries(parsed)) tags[k] = String(v);
      continue;
    }
    for (const pair of text.split(/\s+/)) {
      const at = pair.search(/[=:]/);
      if (at <= 0) throw badTags(text);
      tags[pair.slice(0, at)] = pair.slice(at + 1);
    }
  }
  return tags;
}

function badTags(text: string): HttpError {
  return new HttpError(
    400,
    "invalid_request",
    `Invalid tags "${text}": expected key=value pairs or a JSON object`,
  );
}
