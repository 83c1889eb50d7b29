/**
 * Query parameters of Jaeger's v3 HTTP API, read the way jaeger-query's api_v3 gateway reads them:
 * the camelCase name (proto3 JSON) first, the older snake_case alias second. Unlike Jaeger, an
 * unknown, repeated or malformed parameter is a 400 naming it, so a typo never widens a search.
 */
import { HttpError } from "../../lib/http/errors.ts";
import { SPAN_KINDS } from "../span_model.ts";
import type { TraceQuery } from "../store/query.ts";

/** A parameter's canonical name and the aliases that mean the same. */
type ParamNames = readonly [canonical: string, ...aliases: string[]];

/** Parameters of `GET /api/v3/traces/{trace_id}`. */
export const GET_TRACE_PARAMS: readonly ParamNames[] = [
  ["startTime", "start_time"],
  ["endTime", "end_time"],
  ["rawTraces", "raw_traces"],
];

/** Parameters of `GET /api/v3/traces` and `GET /api/v3/trace-summaries`. */
export const FIND_TRACES_PARAMS: readonly ParamNames[] = [
  ["query.serviceName", "query.service_name"],
  ["query.operationName", "query.operation_name"],
  ["query.attributes"],
  ["query.startTimeMin", "query.start_time_min"],
  ["query.startTimeMax", "query.start_time_max"],
  ["query.durationMin", "query.duration_min"],
  ["query.durationMax", "query.duration_max"],
  ["query.searchDepth", "query.search_depth", "query.num_traces"],
  ["query.rawTraces", "query.raw_traces"],
  ["query.filter"],
];

/** Parameters of `GET /api/v3/operations`. */
export const OPERATIONS_PARAMS: readonly ParamNames[] = [["service"], ["spanKind", "span_kind"]];

/** The largest search depth answered; Jaeger's default is 100. */
export const MAX_SEARCH_DEPTH = 1000;
const DEFAULT_SEARCH_DEPTH = 100;

/** A parameter as given: the name the client used and its value. */
export interface GivenParam {
  name: string;
  value: string;
}

/**
 * Checks every parameter of `url` against `accepted` and returns a lookup by canonical name.
 * An empty value counts as absent, as in Jaeger.
 */
export function readV3Params(
  url: string,
  accepted: readonly ParamNames[],
): (canonical: string) => GivenParam | undefined {
  const canonicalOf = new Map(accepted.flatMap((names) => names.map((n) => [n, names[0]])));
  const given = new Map<string, GivenParam>();
  for (const [name, value] of new URL(url).searchParams) {
    const canonical = canonicalOf.get(name);
    if (canonical === undefined) {
      const known = accepted.flatMap((names) => names).join(", ") || "none";
      throw invalid(`Unknown parameter "${name}": expected one of ${known}`);
    }
    if (value === "") continue;
    const earlier = given.get(canonical);
    if (earlier !== undefined && earlier.value !== value) {
      throw invalid(
        `Conflicting values for ${canonical}: "${earlier.value}" (${earlier.name}) and "${value}" (${name})`,
      );
    }
    given.set(canonical, { name, value });
  }
  return (canonical) => given.get(canonical);
}

/** Reads `TraceQueryParameters` (FindTraces, FindTraceSummaries) into a store query. */
export function readFindTracesQuery(url: string): TraceQuery {
  const get = readV3Params(url, FIND_TRACES_PARAMS);
  const filter = get("query.filter");
  if (filter !== undefined) {
    // Jaeger refuses it too unless an alpha feature gate is on; ignoring it would widen the result.
    throw invalid(
      `Unsupported query.filter "${filter.value}": use query.serviceName, query.operationName, query.attributes and the duration bounds`,
    );
  }
  const query: TraceQuery = {
    tags: readAttributes(get("query.attributes")),
    limit: readSearchDepth(get("query.searchDepth")),
  };
  const service = get("query.serviceName");
  const operation = get("query.operationName");
  if (service !== undefined) query.service = service.value;
  if (operation !== undefined) query.operation = operation.value;
  const min = get("query.startTimeMin");
  const max = get("query.startTimeMax");
  if (min !== undefined) {
    const time = parseRfc3339(min);
    query.startUs = time.micros + (time.extraNanos > 0 ? 1 : 0);
  }
  if (max !== undefined) {
    // start_time_max is exclusive; the store's bound is inclusive.
    const time = parseRfc3339(max);
    query.endUs = time.micros - (time.extraNanos > 0 ? 0 : 1);
  }
  if (min !== undefined && max !== undefined && query.startUs! > query.endUs!) {
    throw invalid(
      `Invalid time range: ${min.name} "${min.value}" must be before ${max.name} "${max.value}"`,
    );
  }
  const durationMin = get("query.durationMin");
  const durationMax = get("query.durationMax");
  if (durationMin !== undefined) query.minDurationUs = parseGoDurationMicros(durationMin);
  if (durationMax !== undefined) query.maxDurationUs = parseGoDurationMicros(durationMax);
  const raw = get("query.rawTraces");
  if (raw !== undefined) parseGoBool(raw); // Traces are served as stored either way.
  return query;
}

/** Checks GetTrace's optional parameters; they only narrow where Jaeger's storage looks. */
export function checkGetTraceParams(url: string): void {
  const get = readV3Params(url, GET_TRACE_PARAMS);
  const start = get("startTime");
  const end = get("endTime");
  const raw = get("rawTraces");
  if (start !== undefined) parseRfc3339(start);
  if (end !== undefined) parseRfc3339(end);
  if (raw !== undefined) parseGoBool(raw);
}

/** Reads GetOperations' parameters; `spanKind` must be one of OpenTelemetry's kinds. */
export function readOperationsParams(url: string): { service?: string; spanKind?: string } {
  const get = readV3Params(url, OPERATIONS_PARAMS);
  const service = get("service")?.value;
  const kind = get("spanKind");
  if (kind !== undefined && !SPAN_KINDS.includes(kind.value)) {
    throw invalid(
      `Invalid ${kind.name} "${kind.value}": expected one of ${SPAN_KINDS.join(", ")}`,
    );
  }
  return {
    ...(service === undefined ? {} : { service }),
    ...(kind === undefined ? {} : { spanKind: kind.value }),
  };
}

/** A trace id as Jaeger accepts it in the path: 16 or 32 hex digits, returned as 32. */
export function parseTraceIdParam(text: string): string {
  if (!/^([0-9a-fA-F]{16}|[0-9a-fA-F]{32})$/.test(text)) {
    throw invalid(`Invalid trace_id "${text}": expected 16 or 32 hex digits`);
  }
  return text.toLowerCase().padStart(32, "0");
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

function readSearchDepth(param: GivenParam | undefined): number {
  if (param === undefined) return DEFAULT_SEARCH_DEPTH;
  const depth = Number(param.value);
  if (!/^\d+$/.test(param.value) || depth < 1 || depth > MAX_SEARCH_DEPTH) {
    throw invalid(
      `Invalid ${param.name} "${param.value}": expected an integer from 1 to ${MAX_SEARCH_DEPTH}`,
    );
  }
  return depth;
}

/** `query.attributes`: a JSON object of attribute names to their string values. */
function readAttributes(param: GivenParam | undefined): Record<string, string> {
  if (param === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(param.value);
  } catch {
    parsed = undefined;
  }
  const entries = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
    ? Object.entries(parsed)
    : undefined;
  if (entries === undefined || entries.some(([, v]) => !isScalar(v))) {
    throw invalid(
      `Invalid ${param.name} "${param.value}": expected a JSON object of strings like {"http.response.status_code":"500"}`,
    );
  }
  const attributes = Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
  if (attributes["otel.status_code"] === "ERROR") {
    // Jaeger shows an ERROR status as both of these tags; the store indexes `error=true`.
    delete attributes["otel.status_code"];
    attributes.error = "true";
  }
  return attributes;
}

function isScalar(value: unknown): boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

function invalid(message: string): HttpError {
  return new HttpError(400, "invalid_parameter", message);
}
