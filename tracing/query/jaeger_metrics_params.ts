/**
 * Parameters of Jaeger's metrics (SPM) API, `/api/metrics/{latencies,calls,errors}`, as
 * jaeger-query reads them: `service` (repeated, required), `quantile` (latencies), and optional
 * `groupByOperation`, `endTs` (epoch ms), `lookback`, `step`, `ratePer` (ms) and `spanKind`
 * (repeated), with Jaeger's defaults. Unknown or malformed parameters are a 400 naming them.
 */
import { HttpError } from "../../lib/http/errors.ts";
import { SPAN_KINDS } from "../span_model.ts";
import { parseGoBool } from "./go_syntax.ts";

/** The three metric endpoints. */
export type MetricType = "latencies" | "calls" | "errors";

/** A metrics query; times in epoch milliseconds, durations in milliseconds. */
export interface MetricsQuery {
  services: string[];
  /** OpenTelemetry span kind numbers. */
  spanKinds: number[];
  groupByOperation: boolean;
  endMs: number;
  lookbackMs: number;
  stepMs: number;
  ratePerMs: number;
  /** The latency quantile, in (0, 1]; required for latencies. */
  quantile?: number;
}

/** Prometheus' cap on points per series, which Jaeger's usual backend enforces too. */
export const MAX_POINTS = 11_000;

const ACCEPTED = [
  "service",
  "quantile",
  "groupByOperation",
  "endTs",
  "lookback",
  "step",
  "ratePer",
  "spanKind",
  "prettyPrint",
];

/** Reads a metrics query from a request URL; `nowMs` is the default `endTs`. */
export function readMetricsQuery(url: string, type: MetricType, nowMs: number): MetricsQuery {
  const params = new URL(url).searchParams;
  for (const name of params.keys()) {
    if (!ACCEPTED.includes(name)) {
      throw invalid(`Unknown parameter "${name}": expected one of ${ACCEPTED.join(", ")}`);
    }
  }
  // Jaeger UI joins several services as `service=a,service=b` inside one value.
  const services = params.getAll("service").flatMap((value) => value.split(",service="))
    .filter((name) => name !== "");
  if (services.length === 0) {
    throw invalid('Missing service: name at least one service, e.g. "service=order"');
  }
  const one = (name: string) => params.get(name) || undefined;
  const groupBy = one("groupByOperation");
  const query: MetricsQuery = {
    services,
    spanKinds: readSpanKinds(params.getAll("spanKind").filter((kind) => kind !== "")),
    groupByOperation: groupBy !== undefined &&
      parseGoBool({ name: "groupByOperation", value: groupBy }),
    endMs: readInteger("endTs", one("endTs"), nowMs, "epoch milliseconds"),
    lookbackMs: readInteger("lookback", one("lookback"), 3_600_000),
    stepMs: readInteger("step", one("step"), 5_000),
    ratePerMs: readInteger("ratePer", one("ratePer"), 600_000),
  };
  for (const name of ["lookbackMs", "stepMs", "ratePerMs"] as const) {
    if (query[name] <= 0) {
      const param = name.slice(0, -2);
      throw invalid(
        `Invalid ${param} "${query[name]}": expected a positive number of milliseconds`,
      );
    }
  }
  const points = Math.floor(query.lookbackMs / query.stepMs) + 1;
  if (points > MAX_POINTS) {
    throw invalid(
      `Invalid step "${query.stepMs}": lookback ${query.lookbackMs} ms in steps of ${query.stepMs} ms gives ${points} points, more than ${MAX_POINTS}`,
    );
  }
  const quantile = one("quantile");
  if (quantile !== undefined) query.quantile = readQuantile(quantile);
  else if (type === "latencies") {
    throw invalid('Missing quantile: latencies need one in (0, 1], e.g. "quantile=0.95"');
  }
  return query;
}

function readSpanKinds(names: string[]): number[] {
  if (names.length === 0) return [SPAN_KINDS.indexOf("server")];
  return names.map((name) => {
    const kind = SPAN_KINDS.indexOf(name);
    if (kind < 0) {
      throw invalid(`Invalid spanKind "${name}": expected one of ${SPAN_KINDS.join(", ")}`);
    }
    return kind;
  });
}

function readInteger(
  name: string,
  text: string | undefined,
  fallback: number,
  unit = "milliseconds",
): number {
  if (text === undefined) return fallback;
  if (!/^-?\d{1,15}$/.test(text)) {
    throw invalid(`Invalid ${name} "${text}": expected integer ${unit}`);
  }
  return Number(text);
}

function readQuantile(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0 || value > 1) {
    throw invalid(`Invalid quantile "${text}": expected a number in (0, 1]`);
  }
  return value;
}

function invalid(message: string): HttpError {
  return new HttpError(400, "invalid_parameter", message);
}
