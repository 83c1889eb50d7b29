/**
 * Query parameters of Jaeger's v3 HTTP API, read the way jaeger-query's api_v3 gateway reads them:
 * the camelCase name (proto3 JSON) first, the older snake_case alias second. Unlike Jaeger, an
 * unknown or malformed parameter, or two values for one, is a 400 naming it, so a typo never
 * widens a search.
 */
import { HttpError } from "../../lib/http/errors.ts";
import { type GivenParam, parseGoBool, parseGoDurationMicros, parseRfc3339 } from "./go_syntax.ts";
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
  if (raw !== undefined) parseGoBool(raw);
  return query;
}

/** Whether a search asks for traces without Jaeger's adjustments (`query.rawTraces`). */
export function readFindTracesRaw(url: string): boolean {
  const raw = readV3Params(url, FIND_TRACES_PARAMS)("query.rawTraces");
  return raw !== undefined && parseGoBool(raw);
}

/**
 * Checks GetTrace's optional parameters: times only narrow where Jaeger's storage looks;
 * resolves to `rawTraces` (no adjustments).
 */
export function checkGetTraceParams(url: string): boolean {
  const get = readV3Params(url, GET_TRACE_PARAMS);
  const start = get("startTime");
  const end = get("endTime");
  const raw = get("rawTraces");
  if (start !== undefined) parseRfc3339(start);
  if (end !== undefined) parseRfc3339(end);
  return raw !== undefined && parseGoBool(raw);
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
