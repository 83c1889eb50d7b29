/**
 * OpenTelemetry settings, read from the standard `OTEL_*` variables.
 *
 * See https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/ and
 * https://opentelemetry.io/docs/specs/otel/protocol/exporter/ for the names and defaults.
 */
import type { EnvReader } from "../config/env_reader.ts";

/** Sampler names of `OTEL_TRACES_SAMPLER` that this project supports. */
export const SAMPLER_NAMES = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;

/** One of `SAMPLER_NAMES`. */
export type SamplerName = typeof SAMPLER_NAMES[number];

/** OTLP/HTTP encodings; `grpc` is not offered by this project. */
export const OTLP_PROTOCOLS = ["http/protobuf", "http/json"] as const;

/** One of `OTLP_PROTOCOLS`. */
export type OtlpProtocol = typeof OTLP_PROTOCOLS[number];

/** Values of `OTEL_LOGS_EXPORTER` this project supports. */
export const LOGS_EXPORTERS = ["otlp", "none"] as const;

/** Batch processor limits, for spans (`OTEL_BSP_*`) and log records (`OTEL_BLRP_*`). */
export interface BatchLimits {
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduledDelayMs: number;
}

/** Where and how log records are shipped (`OTEL_LOGS_EXPORTER`, `OTEL_EXPORTER_OTLP_LOGS_*`). */
export interface LogsExportConfig {
  /** `false` with OTEL_LOGS_EXPORTER=none: logs go to stdout only. */
  readonly enabled: boolean;
  readonly endpoint: string;
  readonly protocol: OtlpProtocol;
  readonly headers: Readonly<Record<string, string>>;
  readonly exportTimeoutMs: number;
  readonly batch: BatchLimits;
}

/** Everything the telemetry pipeline needs, read once at start. */
export interface TelemetryConfig {
  readonly serviceName: string;
  /** Whether the name came from OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES, not a default. */
  readonly serviceNameSet: boolean;
  readonly serviceVersion: string;
  /** From OTEL_RESOURCE_ATTRIBUTES; `service.name` there loses to OTEL_SERVICE_NAME. */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /** OTEL_SDK_DISABLED: no spans are recorded, but context still propagates. */
  readonly disabled: boolean;
  /** OTEL_DENO: Deno's built-in telemetry is asked for and owns the global API. */
  readonly denoBuiltin: boolean;
  readonly tracesEndpoint: string;
  readonly protocol: OtlpProtocol;
  readonly headers: Readonly<Record<string, string>>;
  readonly exportTimeoutMs: number;
  readonly sampler: SamplerName;
  /** Ratio for the `traceidratio` samplers, from 0 to 1. */
  readonly samplerArg: number;
  readonly batch: BatchLimits;
  readonly logs: LogsExportConfig;
}

/** Default OTLP/HTTP endpoint, as the OpenTelemetry SDKs use it. */
export const DEFAULT_OTLP_ENDPOINT = "http://localhost:4318";

/**
 * Reads the `OTEL_*` variables through `read`; problems are collected by the reader.
 * The batch queue defaults to 8192 spans (the spec says 2048) because a burst of messages
 * overflowed 2048 here and dropped most spans.
 */
export function readTelemetryConfig(
  read: EnvReader,
  defaults: { serviceName: string; serviceVersion: string },
): TelemetryConfig {
  const resourceAttributes = parseKeyValueList(read, "OTEL_RESOURCE_ATTRIBUTES");
  const namedName = read.raw("OTEL_SERVICE_NAME") ?? resourceAttributes["service.name"];
  const serviceName = namedName ?? defaults.serviceName;

  const base = read.url("OTEL_EXPORTER_OTLP_ENDPOINT", DEFAULT_OTLP_ENDPOINT);
  const tracesEndpoint = read.url(
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    `${base.replace(/\/+$/, "")}/v1/traces`,
  );
  const sampler = read.oneOf("OTEL_TRACES_SAMPLER", SAMPLER_NAMES, "parentbased_always_on");
  const samplerArg = sampler.endsWith("traceidratio")
    ? read.number("OTEL_TRACES_SAMPLER_ARG", 1, { min: 0, max: 1 })
    : 1;

  // The shared OTEL_EXPORTER_OTLP_* values are read once: both signals fall back to them.
  const shared: SharedExportSettings = {
    headers: parseKeyValueList(read, "OTEL_EXPORTER_OTLP_HEADERS"),
    timeoutMs: read.int("OTEL_EXPORTER_OTLP_TIMEOUT", 10_000, { min: 1 }),
    protocol: once(() =>
      read.oneOf("OTEL_EXPORTER_OTLP_PROTOCOL", OTLP_PROTOCOLS, "http/protobuf")
    ),
  };
  return Object.freeze({
    serviceName,
    serviceNameSet: namedName !== undefined,
    serviceVersion: defaults.serviceVersion,
    resourceAttributes: Object.freeze(resourceAttributes),
    disabled: read.bool("OTEL_SDK_DISABLED", false),
    denoBuiltin: read.bool("OTEL_DENO", false),
    tracesEndpoint,
    protocol: signalProtocol(read, "TRACES", shared),
    headers: Object.freeze({
      ...shared.headers,
      ...parseKeyValueList(read, "OTEL_EXPORTER_OTLP_TRACES_HEADERS"),
    }),
    exportTimeoutMs: read.int("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", shared.timeoutMs, { min: 1 }),
    sampler,
    samplerArg,
    batch: readBatchLimits(read, "OTEL_BSP"),
    logs: readLogsExportConfig(read, base, shared),
  });
}

/** What the traces and logs exporters share unless their own variables say otherwise. */
interface SharedExportSettings {
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Read only when a signal has no protocol of its own, so a bad value is reported once. */
  readonly protocol: () => OtlpProtocol;
}

function signalProtocol(
  read: EnvReader,
  signal: "TRACES" | "LOGS",
  shared: SharedExportSettings,
): OtlpProtocol {
  const name = `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`;
  return read.raw(name) === undefined
    ? shared.protocol()
    : read.oneOf(name, OTLP_PROTOCOLS, "http/protobuf");
}

function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) value = compute();
    done = true;
    return value;
  };
}

/**
 * Reads `OTEL_LOGS_EXPORTER` and the logs exporter's variables; each signal-specific one wins over
 * its `OTEL_EXPORTER_OTLP_*` counterpart. Records batch like spans, with the same defaults.
 */
function readLogsExportConfig(
  read: EnvReader,
  base: string,
  shared: SharedExportSettings,
): LogsExportConfig {
  const otlp = "OTEL_EXPORTER_OTLP";
  return Object.freeze({
    enabled: read.oneOf("OTEL_LOGS_EXPORTER", LOGS_EXPORTERS, "otlp") === "otlp",
    endpoint: read.url(`${otlp}_LOGS_ENDPOINT`, `${base.replace(/\/+$/, "")}/v1/logs`),
    protocol: signalProtocol(read, "LOGS", shared),
    headers: Object.freeze({
      ...shared.headers,
      ...parseKeyValueList(read, `${otlp}_LOGS_HEADERS`),
    }),
    exportTimeoutMs: read.int(`${otlp}_LOGS_TIMEOUT`, shared.timeoutMs, { min: 1 }),
    batch: readBatchLimits(read, "OTEL_BLRP"),
  });
}

/**
 * `<prefix>_MAX_QUEUE_SIZE`, `_MAX_EXPORT_BATCH_SIZE` and `_SCHEDULE_DELAY`. The queue defaults
 * to 8192 (the spec says 2048) and the delay to 1 s because a burst overflowed 2048 here.
 */
function readBatchLimits(read: EnvReader, prefix: "OTEL_BSP" | "OTEL_BLRP"): BatchLimits {
  const maxQueueSize = read.int(`${prefix}_MAX_QUEUE_SIZE`, 8192, { min: 1, max: 1_000_000 });
  const maxExportBatchSize = read.int(`${prefix}_MAX_EXPORT_BATCH_SIZE`, 512, {
    min: 1,
    max: 1_000_000,
  });
  if (maxExportBatchSize > maxQueueSize) {
    read.problem(
      `${prefix}_MAX_EXPORT_BATCH_SIZE`,
      String(maxExportBatchSize),
      `at most ${prefix}_MAX_QUEUE_SIZE (${maxQueueSize})`,
    );
  }
  return Object.freeze({
    maxQueueSize,
    maxExportBatchSize,
    scheduledDelayMs: read.int(`${prefix}_SCHEDULE_DELAY`, 1000, { min: 0 }),
  });
}

/** Parses the W3C-Baggage-like `key=value,key2=value2` lists that OTEL_* variables use. */
function parseKeyValueList(read: EnvReader, name: string): Record<string, string> {
  const value = read.raw(name);
  const result: Record<string, string> = {};
  if (value === undefined) return result;
  for (const entry of value.split(",")) {
    if (entry.trim() === "") continue;
    const at = entry.indexOf("=");
    const key = at > 0 ? safeDecode(entry.slice(0, at).trim()) : undefined;
    const item = at > 0 ? safeDecode(entry.slice(at + 1).trim()) : undefined;
    if (key === undefined || item === undefined || key === "") {
      read.problem(name, value, "a comma-separated list of key=value pairs");
      return {};
    }
    result[key] = item;
  }
  return result;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
