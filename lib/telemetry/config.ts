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

/** Values of `OTLP_SERIALIZER`: our OTLP/protobuf encoder, or the official one (the oracle). */
export const OTLP_SERIALIZERS = ["fast", "official"] as const;

/** One of `OTLP_SERIALIZERS`. */
export type OtlpSerializerName = typeof OTLP_SERIALIZERS[number];

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
  /** OTLP_SERIALIZER: who encodes `http/protobuf` exports; JSON always uses the official one. */
  readonly serializer: OtlpSerializerName;
  readonly headers: Readonly<Record<string, string>>;
  readonly exportTimeoutMs: number;
  readonly sampler: SamplerName;
  /** Ratio for the `traceidratio` samplers, from 0 to 1. */
  readonly samplerArg: number;
  readonly batch: {
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
    readonly scheduledDelayMs: number;
  };
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
  const protocolVariable = read.raw("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") === undefined
    ? "OTEL_EXPORTER_OTLP_PROTOCOL"
    : "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";

  const sampler = read.oneOf("OTEL_TRACES_SAMPLER", SAMPLER_NAMES, "parentbased_always_on");
  const samplerArg = sampler.endsWith("traceidratio")
    ? read.number("OTEL_TRACES_SAMPLER_ARG", 1, { min: 0, max: 1 })
    : 1;

  const maxQueueSize = read.int("OTEL_BSP_MAX_QUEUE_SIZE", 8192, { min: 1, max: 1_000_000 });
  const maxExportBatchSize = read.int("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512, {
    min: 1,
    max: 1_000_000,
  });
  if (maxExportBatchSize > maxQueueSize) {
    read.problem(
      "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
      String(maxExportBatchSize),
      `at most OTEL_BSP_MAX_QUEUE_SIZE (${maxQueueSize})`,
    );
  }

  return Object.freeze({
    serviceName,
    serviceNameSet: namedName !== undefined,
    serviceVersion: defaults.serviceVersion,
    resourceAttributes: Object.freeze(resourceAttributes),
    disabled: read.bool("OTEL_SDK_DISABLED", false),
    denoBuiltin: read.bool("OTEL_DENO", false),
    tracesEndpoint,
    protocol: read.oneOf(protocolVariable, OTLP_PROTOCOLS, "http/protobuf"),
    serializer: read.oneOf("OTLP_SERIALIZER", OTLP_SERIALIZERS, "fast"),
    headers: Object.freeze({
      ...parseKeyValueList(read, "OTEL_EXPORTER_OTLP_HEADERS"),
      ...parseKeyValueList(read, "OTEL_EXPORTER_OTLP_TRACES_HEADERS"),
    }),
    exportTimeoutMs: read.int(
      "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
      read.int("OTEL_EXPORTER_OTLP_TIMEOUT", 10_000, { min: 1 }),
      { min: 1 },
    ),
    sampler,
    samplerArg,
    batch: Object.freeze({
      maxQueueSize,
      maxExportBatchSize,
      scheduledDelayMs: read.int("OTEL_BSP_SCHEDULE_DELAY", 1000, { min: 0 }),
    }),
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
