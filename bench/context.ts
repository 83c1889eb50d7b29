/** What every scenario gets: settings, cores, the result set, the OTLP endpoint and a logger. */
import type { Cores } from "./process.ts";
import type { ResultSet } from "./results.ts";
import type { Settings } from "./settings.ts";

/** Shared state of one benchmark run. */
export interface BenchContext {
  settings: Settings;
  cores: Cores;
  results: ResultSet;
  /** OTLP/HTTP base URL of the tracing service, the end-to-end endpoint. */
  otlpEndpoint: string;
  /** OTLP/HTTP base URL of the discard sink, which isolates the services' own cost. */
  sinkEndpoint: string;
  /** A temp directory, removed at the end. */
  dataDir: string;
  /** Progress line on stderr. */
  progress(message: string): void;
}

/** A telemetry setup a service runs under. */
export interface Variant {
  name: string;
  env: Record<string, string>;
  /** Extra `deno run` flags (the plain SDK's preloaded set-up). */
  flags?: string[];
  /** Another checkout the services run from (`--compare`). */
  root?: string;
}

/** The name of the variant every ratio is taken against. */
export const UNTRACED = "untraced";

/**
 * A service as `deno task dev` and compose.yaml run it: the defaults (100% sampling, OTLP logs
 * on) and LOG_LEVEL=info, so one request line a request goes to stdout, a pipe the bench reads.
 * Only the OTLP endpoint differs: the discard sink.
 */
export const AS_SHIPPED = "as shipped: 100%, request lines to a pipe, OTLP logs";

/** Sampled 100% and one request log line per request, on stdout only (OTEL_LOGS_EXPORTER=none). */
export const LOGS_TO_STDOUT = "sampled 100%, request logs to stdout";

/** Head sampling at ratio 0: every request pays the unsampled path. */
export const UNSAMPLED = "unsampled (ratio 0)";

/** The variant that exports to the tracing service instead of the sink. */
export const END_TO_END = "sampled 100%, to the tracing service";

const TEN_PERCENT = {
  OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
  OTEL_TRACES_SAMPLER_ARG: "0.1",
};
const NONE = { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0" };
const ALL = { OTEL_TRACES_SAMPLER: "parentbased_always_on" };
const PLAIN_SDK = ["--preload", "bench/plain_sdk_preload.ts"];

/**
 * The variants of the HTTP scenarios: untraced, as shipped (`AS_SHIPPED`), unsampled, 10% and
 * 100% head sampling exporting to the discard sink; with `comparisons`, the same with the official serializer, with a plain SDK
 * set-up (official exporter, no export gate) and with Deno's built-in telemetry, and 100% to
 * the tracing service (end to end, with its shed counts); with `json`, 100% as OTLP JSON; with
 * `logs`, 100% with one request log line per request written to stdout only (beside as shipped,
 * which also ships them: services otherwise run at LOG_LEVEL=warn, so other variants write no
 * request lines); with `compare`, as shipped, unsampled, 10% and 100% with the services of another
 * checkout (before and after a change).
 */
export function tracingVariants(
  endpoints: { sink: string; tracing: string },
  options: {
    deno: boolean;
    comparisons: boolean;
    json?: boolean;
    logs?: boolean;
    compare?: string;
  },
): Variant[] {
  const sink = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoints.sink };
  const asShipped = { ...sink, LOG_LEVEL: "info" };
  const variants: Variant[] = [
    { name: UNTRACED, env: { ...sink, OTEL_SDK_DISABLED: "true" } },
    { name: AS_SHIPPED, env: asShipped },
    { name: UNSAMPLED, env: { ...sink, ...NONE } },
    { name: "sampled 10%", env: { ...sink, ...TEN_PERCENT } },
    { name: "sampled 100%", env: { ...sink, ...ALL } },
  ];
  if (options.json) {
    variants.push({
      name: "sampled 100%, OTLP JSON",
      env: { ...sink, ...ALL, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" },
    });
  }
  if (options.logs) {
    variants.push({
      name: LOGS_TO_STDOUT,
      env: { ...sink, ...ALL, LOG_LEVEL: "info", OTEL_LOGS_EXPORTER: "none" },
    });
  }
  if (options.comparisons) {
    variants.push(
      {
        name: "sampled 100%, official serializer",
        env: { ...sink, ...ALL, OTLP_SERIALIZER: "official" },
      },
      { name: "plain SDK 10%", env: { ...sink, ...TEN_PERCENT }, flags: PLAIN_SDK },
      { name: "plain SDK 100%", env: { ...sink, ...ALL }, flags: PLAIN_SDK },
      { name: END_TO_END, env: { ...ALL, OTEL_EXPORTER_OTLP_ENDPOINT: endpoints.tracing } },
    );
  }
  if (options.compare !== undefined) {
    const root = options.compare;
    variants.push(
      { name: "compared checkout, as shipped", env: asShipped, root },
      { name: "compared checkout, unsampled (ratio 0)", env: { ...sink, ...NONE }, root },
      { name: "compared checkout 10%", env: { ...sink, ...TEN_PERCENT }, root },
      { name: "compared checkout 100%", env: { ...sink, ...ALL }, root },
    );
  }
  // OTEL_SERVICE_NAME is set by `startService` for every process, as Deno's mode requires.
  if (options.deno) {
    variants.push(
      { name: "deno built-in 10%", env: { ...sink, ...TEN_PERCENT, OTEL_DENO: "true" } },
      { name: "deno built-in 100%", env: { ...sink, ...ALL, OTEL_DENO: "true" } },
    );
  }
  return variants;
}
