/** What every scenario gets: settings, cores, the result set, the OTLP endpoint and a logger. */
import type { Cores } from "./process.ts";
import type { ResultSet } from "./results.ts";
import type { Settings } from "./settings.ts";

/** Shared state of one benchmark run. */
export interface BenchContext {
  settings: Settings;
  cores: Cores;
  results: ResultSet;
  /** OTLP/HTTP base URL of the tracing service that traced variants export to. */
  otlpEndpoint: string;
  /** A temp directory, removed at the end. */
  dataDir: string;
  /** Progress line on stderr. */
  progress(message: string): void;
}

/** A telemetry setup a service runs under. */
export interface Variant {
  name: string;
  env: Record<string, string>;
}

/** The name of the variant every ratio is taken against. */
export const UNTRACED = "untraced";

/** Sampled 100% and one request log line per request, on stdout only (OTEL_LOGS_EXPORTER=none). */
export const LOGS_TO_STDOUT = "sampled 100%, request logs to stdout";

/** The same lines also shipped over OTLP through the logs SDK. */
export const LOGS_SHIPPED = "sampled 100%, request logs shipped";

/**
 * Untraced, 10% and 100% head sampling, and (when asked) 100% exported as OTLP JSON instead of
 * the default protobuf, 100% with one request log line per request (written to stdout only, and
 * also shipped as OTLP log records), and Deno's built-in telemetry. Services otherwise run at
 * LOG_LEVEL=warn, so the other variants write no request lines.
 */
export function tracingVariants(
  endpoint: string,
  options: { deno: boolean; json?: boolean; logs?: boolean },
): Variant[] {
  const common = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint };
  const variants: Variant[] = [
    { name: UNTRACED, env: { ...common, OTEL_SDK_DISABLED: "true" } },
    {
      name: "sampled 10%",
      env: {
        ...common,
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.1",
      },
    },
    { name: "sampled 100%", env: { ...common, OTEL_TRACES_SAMPLER: "parentbased_always_on" } },
  ];
  if (options.json) {
    variants.push({
      name: "sampled 100%, OTLP JSON",
      env: {
        ...common,
        OTEL_TRACES_SAMPLER: "parentbased_always_on",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      },
    });
  }
  if (options.logs) {
    const withLogs = { ...common, OTEL_TRACES_SAMPLER: "parentbased_always_on", LOG_LEVEL: "info" };
    variants.push(
      { name: LOGS_TO_STDOUT, env: { ...withLogs, OTEL_LOGS_EXPORTER: "none" } },
      { name: LOGS_SHIPPED, env: withLogs },
    );
  }
  // OTEL_SERVICE_NAME is set by `startService` for every process, as Deno's mode requires.
  if (options.deno) variants.push({ name: "deno built-in", env: { ...common, OTEL_DENO: "true" } });
  return variants;
}
