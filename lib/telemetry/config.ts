/**
 * OpenTelemetry settings, read from the standard `OTEL_*` variables.
 *
 * See https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/ and
 * https://opentelemetry.io/docs/specs/otel/protocol/exporter/ for the names and defaults.
 */
import type { EnvReader } from "../config/env_reader.ts";
import { bool, int, keyValueList, number, oneOf, text, url } from "../config/parsers.ts";
import { type Declared, declareVariables, type Variable } from "../config/variables.ts";

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
  readonly batch: BatchLimits;
  /** SPAN_QUEUE_MAX_BYTES: the span queue's bound in encoded bytes, besides its span count. */
  readonly spanQueueMaxBytes: number;
  readonly logs: LogsExportConfig;
}

/** Default OTLP/HTTP endpoint, as the OpenTelemetry SDKs use it. */
export const DEFAULT_OTLP_ENDPOINT = "http://localhost:4318";

/** The standard `OTEL_*` variables, declared by `telemetryVariables`. */
export type TelemetryVariables = Declared<ReturnType<typeof telemetryInits>>;

/** The standard `OTEL_*` variables; OTEL_SERVICE_NAME defaults to `service`. */
export function telemetryVariables(service: string): TelemetryVariables {
  return declareVariables("OpenTelemetry (standard variables)", telemetryInits(service));
}

function telemetryInits(service: string) {
  return {
    OTEL_SERVICE_NAME: {
      parse: text(),
      default: service,
      meaning: "`service.name`; wins over `service.name` in `OTEL_RESOURCE_ATTRIBUTES`",
    },
    OTEL_RESOURCE_ATTRIBUTES: {
      parse: keyValueList(),
      meaning: "extra resource attributes, `key=value,key2=value2` (percent-encoded)",
    },
    OTEL_EXPORTER_OTLP_ENDPOINT: {
      parse: url(),
      default: DEFAULT_OTLP_ENDPOINT,
      meaning: "OTLP/HTTP base URL; traces go to `<base>/v1/traces`, logs to `<base>/v1/logs`",
    },
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: {
      parse: url(),
      meaning: "full URL for traces, used as is (default: derived from the base URL)",
    },
    OTEL_EXPORTER_OTLP_PROTOCOL: {
      parse: oneOf(OTLP_PROTOCOLS),
      default: "http/protobuf",
      meaning: "`http/protobuf` or `http/json`",
    },
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: {
      parse: oneOf(OTLP_PROTOCOLS),
      meaning: "overrides `OTEL_EXPORTER_OTLP_PROTOCOL` for traces",
    },
    OTLP_SERIALIZER: {
      parse: oneOf(OTLP_SERIALIZERS),
      default: "fast",
      meaning: "who encodes `http/protobuf` span exports: `fast` (ours) or `official` " +
        "(`@opentelemetry/otlp-transformer`, the test oracle); JSON and log records always use " +
        "the official one",
    },
    OTEL_EXPORTER_OTLP_HEADERS: {
      parse: keyValueList(),
      secret: true,
      meaning: "`key=value,...` headers sent with each export",
    },
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: {
      parse: keyValueList(),
      secret: true,
      meaning: "overrides `OTEL_EXPORTER_OTLP_HEADERS` for traces",
    },
    OTEL_EXPORTER_OTLP_TIMEOUT: {
      parse: int({ min: 1 }),
      default: "10000",
      meaning: "export timeout in ms",
    },
    OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: {
      parse: int({ min: 1 }),
      meaning: "overrides `OTEL_EXPORTER_OTLP_TIMEOUT` for traces",
    },
    OTEL_TRACES_SAMPLER: {
      parse: oneOf(SAMPLER_NAMES),
      default: "parentbased_always_on",
      meaning: `head sampler: ${SAMPLER_NAMES.map((name) => `\`${name}\``).join(", ")}`,
    },
    OTEL_TRACES_SAMPLER_ARG: {
      parse: number({ min: 0, max: 1 }),
      default: "1",
      meaning: "ratio from 0 to 1 for the `traceidratio` samplers",
    },
    OTEL_BSP_MAX_QUEUE_SIZE: {
      parse: int({ min: 1, max: 1_000_000 }),
      default: "8192",
      meaning: "spans buffered before new ones are dropped and counted (spec: 2048)",
    },
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: {
      parse: int({ min: 1, max: 1_000_000 }),
      default: "512",
      meaning: "spans per export request, at most the queue size",
    },
    OTEL_BSP_SCHEDULE_DELAY: {
      parse: int({ min: 0 }),
      default: "1000",
      meaning: "ms between exports (spec: 5000)",
    },
    SPAN_QUEUE_MAX_BYTES: {
      parse: int({ min: 1024, max: 1024 ** 3 }),
      default: String(4 * 1024 * 1024),
      meaning: "span bytes queued or being exported before new spans are dropped and counted, " +
        "so a dead collector cannot grow memory (`OTLP_SERIALIZER=fast`)",
    },
    OTEL_LOGS_EXPORTER: {
      parse: oneOf(LOGS_EXPORTERS),
      default: "otlp",
      meaning: "`otlp` ships log records too; `none`: logs go to stdout only",
    },
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: {
      parse: url(),
      meaning: "full URL for log records, used as is (default: `<base>/v1/logs`)",
    },
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: {
      parse: oneOf(OTLP_PROTOCOLS),
      meaning: "overrides `OTEL_EXPORTER_OTLP_PROTOCOL` for logs",
    },
    OTEL_EXPORTER_OTLP_LOGS_HEADERS: {
      parse: keyValueList(),
      secret: true,
      meaning: "overrides `OTEL_EXPORTER_OTLP_HEADERS` for logs",
    },
    OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: {
      parse: int({ min: 1 }),
      meaning: "overrides `OTEL_EXPORTER_OTLP_TIMEOUT` for logs",
    },
    OTEL_BLRP_MAX_QUEUE_SIZE: {
      parse: int({ min: 1, max: 1_000_000 }),
      default: "8192",
      meaning: "log records buffered before new ones are dropped and counted (spec: 2048)",
    },
    OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: {
      parse: int({ min: 1, max: 1_000_000 }),
      default: "512",
      meaning: "log records per export request, at most the queue size",
    },
    OTEL_BLRP_SCHEDULE_DELAY: {
      parse: int({ min: 0 }),
      default: "1000",
      meaning: "ms between log exports",
    },
    OTEL_SDK_DISABLED: {
      parse: bool(),
      default: "false",
      meaning: "record nothing; context still propagates",
    },
    OTEL_DENO: {
      parse: bool(),
      default: "false",
      meaning: "use Deno's built-in OpenTelemetry instead of ours",
    },
  } as const;
}

/**
 * Reads the `OTEL_*` variables through `read`; problems are collected by the reader. Each
 * signal-specific exporter variable wins over its `OTEL_EXPORTER_OTLP_*` counterpart, which is
 * read once so a bad value is reported once.
 */
export function readTelemetryConfig(
  read: EnvReader,
  defaults: { serviceName: string; serviceVersion: string },
): TelemetryConfig {
  const v = telemetryVariables(defaults.serviceName);
  const resourceAttributes = read.optional(v.OTEL_RESOURCE_ATTRIBUTES) ?? {};
  const namedName = read.given(v.OTEL_SERVICE_NAME) ?? resourceAttributes["service.name"];
  const serviceName = namedName ?? defaults.serviceName;

  const base = read.value(v.OTEL_EXPORTER_OTLP_ENDPOINT).replace(/\/+$/, "");
  const tracesProtocol = read.optional(v.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL);
  const logsProtocol = read.optional(v.OTEL_EXPORTER_OTLP_LOGS_PROTOCOL);
  // Only read when a signal falls back to it, as the specification's precedence says.
  const sharedProtocol = tracesProtocol === undefined || logsProtocol === undefined
    ? read.value(v.OTEL_EXPORTER_OTLP_PROTOCOL)
    : undefined;
  const headers = read.optional(v.OTEL_EXPORTER_OTLP_HEADERS);
  const timeoutMs = read.value(v.OTEL_EXPORTER_OTLP_TIMEOUT);

  const sampler = read.value(v.OTEL_TRACES_SAMPLER);
  const samplerArg = sampler.endsWith("traceidratio") ? read.value(v.OTEL_TRACES_SAMPLER_ARG) : 1;

  return Object.freeze({
    serviceName,
    serviceNameSet: namedName !== undefined,
    serviceVersion: defaults.serviceVersion,
    resourceAttributes: Object.freeze(resourceAttributes),
    disabled: read.value(v.OTEL_SDK_DISABLED),
    denoBuiltin: read.value(v.OTEL_DENO),
    tracesEndpoint: read.optional(v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ?? `${base}/v1/traces`,
    protocol: tracesProtocol ?? sharedProtocol ?? "http/protobuf",
    serializer: read.value(v.OTLP_SERIALIZER),
    headers: Object.freeze({ ...headers, ...read.optional(v.OTEL_EXPORTER_OTLP_TRACES_HEADERS) }),
    exportTimeoutMs: read.optional(v.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT) ?? timeoutMs,
    sampler,
    samplerArg,
    batch: readBatchLimits(read, {
      queue: v.OTEL_BSP_MAX_QUEUE_SIZE,
      batch: v.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
      delay: v.OTEL_BSP_SCHEDULE_DELAY,
    }),
    spanQueueMaxBytes: read.value(v.SPAN_QUEUE_MAX_BYTES),
    logs: Object.freeze({
      enabled: read.value(v.OTEL_LOGS_EXPORTER) === "otlp",
      endpoint: read.optional(v.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT) ?? `${base}/v1/logs`,
      protocol: logsProtocol ?? sharedProtocol ?? "http/protobuf",
      headers: Object.freeze({ ...headers, ...read.optional(v.OTEL_EXPORTER_OTLP_LOGS_HEADERS) }),
      exportTimeoutMs: read.optional(v.OTEL_EXPORTER_OTLP_LOGS_TIMEOUT) ?? timeoutMs,
      batch: readBatchLimits(read, {
        queue: v.OTEL_BLRP_MAX_QUEUE_SIZE,
        batch: v.OTEL_BLRP_MAX_EXPORT_BATCH_SIZE,
        delay: v.OTEL_BLRP_SCHEDULE_DELAY,
      }),
    }),
  });
}

/**
 * A batch processor's queue, batch and delay. The queue defaults to 8192 (the spec says 2048) and
 * the span delay to 1 s (spec: 5 s) because a burst of messages overflowed 2048 here and dropped
 * most spans.
 */
function readBatchLimits(
  read: EnvReader,
  variables: { queue: Variable<number>; batch: Variable<number>; delay: Variable<number> },
): BatchLimits {
  const maxQueueSize = read.value(variables.queue);
  const maxExportBatchSize = read.value(variables.batch);
  if (maxExportBatchSize > maxQueueSize) {
    read.problem(
      variables.batch,
      String(maxExportBatchSize),
      `at most ${variables.queue.name} (${maxQueueSize})`,
    );
  }
  return Object.freeze({
    maxQueueSize,
    maxExportBatchSize,
    scheduledDelayMs: read.value(variables.delay),
  });
}
