/**
 * Starts exactly one tracing pipeline for the process and hands out its tracer.
 *
 * Modes:
 * - `sdk`: our TracerProvider with a BatchSpanProcessor and the OTLP/HTTP exporter, and beside it
 *   a LoggerProvider that ships the logger's records (`LogShipper`) unless OTEL_LOGS_EXPORTER=none.
 * - `deno`: Deno's built-in OpenTelemetry (`OTEL_DENO=true`) owns the global API; registering a
 *   provider would be silently ignored, so we use Deno's tracer and let Deno export. Deno also
 *   exports console output as log records, so our logger ships nothing (no record twice).
 * - `disabled`: `OTEL_SDK_DISABLED=true`; spans are no-ops but context still propagates.
 */
import { BaggageAttributesProcessor } from "./baggage_attributes.ts";
import { redactUrl, redactUrlsIn } from "../config/redact_url.ts";
import { context, diag, DiagLogLevel, propagation, trace, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  CompositePropagator,
  type ExportResult,
  ExportResultCode,
  W3CBaggagePropagator,
} from "@opentelemetry/core";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import type { LogRecordExporter, LogRecordProcessor } from "@opentelemetry/sdk-logs";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { ExportGate } from "./export_gate.ts";
import { EncodingSpanProcessor } from "./encoding_span_processor.ts";
import { createExportProbe } from "./export_probe.ts";
import { PooledIdGenerator } from "./id_generator.ts";
import { Level2Tracer } from "./level2_tracer.ts";
import { LogShipper } from "./log_export.ts";
import type { EncodedSpans } from "./otlp_protobuf_traces.ts";
import { OtlpEncodedTraceExporter, OtlpProtobufTraceExporter } from "./otlp_trace_exporter.ts";
import { W3CTraceContextLevel2Propagator } from "./trace_context.ts";
import type { Logger } from "../log.ts";
import type { TelemetryConfig } from "./config.ts";
import { SpanPipelineCounters, type SpanPipelineStats } from "./stats.ts";

/** Which pipeline records spans. */
export type TelemetryMode = "sdk" | "deno" | "disabled";

/** The running telemetry of one service. */
export interface Telemetry {
  readonly mode: TelemetryMode;
  readonly tracer: Tracer;
  /** The effective settings, safe to show on `/health` (no headers, which may hold secrets). */
  readonly summary: Readonly<Record<string, string | number>>;
  /** Span pipeline counters; only the `sdk` mode can see them. */
  stats(): SpanPipelineStats | undefined;
  /** Log record pipeline counters; `undefined` unless the `sdk` mode ships logs. */
  logStats?(): SpanPipelineStats | undefined;
  /** Exports what is buffered, waiting at most `timeoutMs`. */
  forceFlush(timeoutMs?: number): Promise<void>;
  /** Flushes and stops the pipeline, waiting at most `timeoutMs`; never throws. */
  shutdown(timeoutMs?: number): Promise<void>;
}

/** Options of `startTelemetry`. */
export interface StartTelemetryOptions {
  logger: Logger;
  /** Replaces the OTLP exporter (tests pass an in-memory one). */
  exporter?: SpanExporter;
  /** Replaces the batch processor (tests pass a simple one around their exporter). */
  processor?: SpanProcessor;
  /** Replaces the OTLP log record exporter. */
  logExporter?: LogRecordExporter;
  /** Replaces the log record batch processor. */
  logProcessor?: LogRecordProcessor;
}

const TRACER_NAME = "distributed-tracing";

/** Registers the propagators and context manager once per process. */
export function installGlobals(): void {
  // Both calls return false when Deno's telemetry already registered its own, which is fine.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextLevel2Propagator(), new W3CBaggagePropagator()],
    }),
  );
}

/** Starts the pipeline that `config` asks for and logs which one runs. */
export function startTelemetry(config: TelemetryConfig, options: StartTelemetryOptions): Telemetry {
  const { logger } = options;
  installGlobals();
  diag.setLogger(diagToLogger(logger), DiagLogLevel.WARN);

  if (config.disabled) {
    logger.info("Telemetry disabled by OTEL_SDK_DISABLED; context still propagates");
    return idleTelemetry("disabled", trace.getTracer(TRACER_NAME), { mode: "disabled" });
  }

  // A replaced exporter (tests) has no endpoint to probe: its export results decide alone.
  const gate: ExportGate = new ExportGate({
    probeSpans: config.batch.maxExportBatchSize,
    probe: options.exporter === undefined ? createExportProbe(config) : undefined,
    queueFill: (): number => counters.queueFill(),
  });
  const counters = new SpanPipelineCounters(gate);
  const processor = options.processor ??
    createSpanProcessor(config, counters, logger, options.exporter);
  const sampler = createSampler(config);
  const idGenerator = new PooledIdGenerator();
  const resource = defaultResource().merge(resourceFromAttributes(resourceAttributes(config)));
  const provider = new TracerProvider({
    resource,
    sampler,
    idGenerator,
    spanProcessors: [new BaggageAttributesProcessor(), processor],
  });

  if (!trace.setGlobalTracerProvider(provider)) {
    // Someone else owns the global API. With OTEL_DENO that is Deno's built-in telemetry.
    void provider.shutdown();
    const mode = config.denoBuiltin ? "deno" : "sdk";
    if (mode === "sdk") {
      logger.warn("A tracer provider was already registered; spans go to it, not to ours");
    } else if (!config.serviceNameSet) {
      // Deno builds its resource before any of our code runs, so our default name cannot reach it.
      logger.warn(
        `OTEL_DENO=true but OTEL_SERVICE_NAME is unset: Deno reports "unknown_service:deno"; set OTEL_SERVICE_NAME=${config.serviceName}`,
      );
    }
    logger.info("Telemetry started", { mode, pipeline: "Deno built-in OpenTelemetry" });
    return idleTelemetry(mode, trace.getTracer(TRACER_NAME, config.serviceVersion), {
      mode,
      service_name: config.serviceName,
    });
  }

  const summary = {
    mode: "sdk",
    service_name: config.serviceName,
    endpoint: redactUrl(config.tracesEndpoint),
    protocol: config.protocol,
    serializer: config.protocol === "http/json" ? "official" : config.serializer,
    sampler: config.sampler,
    sampler_arg: config.samplerArg,
    max_queue_size: config.batch.maxQueueSize,
    logs_endpoint: config.logs.enabled ? redactUrl(config.logs.endpoint) : "none",
  };
  const shipper = config.logs.enabled
    ? new LogShipper({
      config: config.logs,
      resource,
      scope: { name: TRACER_NAME, version: config.serviceVersion },
      exporter: options.logExporter,
      processor: options.logProcessor,
      onExportResult: exportHealthLogger(logger, config.logs.endpoint, "Log"),
    })
    : undefined;
  if (shipper !== undefined) logger.ship(shipper.sink);
  logger.info("Telemetry started", summary);
  return {
    mode: "sdk",
    tracer: new Level2Tracer(provider.getTracer(TRACER_NAME, config.serviceVersion), {
      sampler,
      idGenerator,
      gate,
    }),
    summary,
    stats: () => counters.snapshot(),
    logStats: () => shipper?.stats(),
    forceFlush: (timeoutMs = 5000) =>
      withDeadline(
        Promise.all([
          provider.forceFlush({ timeoutMillis: timeoutMs }),
          shipper?.forceFlush(timeoutMs),
        ]).then(() => {}),
        timeoutMs,
        logger,
      ),
    shutdown: (timeoutMs = 5000) => {
      // The records of the shutdown itself still reach stdout; the provider is going away.
      logger.ship(undefined);
      return withDeadline(
        Promise.all([provider.shutdown(), shipper?.shutdown()]).then(() => {}),
        timeoutMs,
        logger,
      );
    },
  };
}

function idleTelemetry(
  mode: TelemetryMode,
  tracer: Tracer,
  summary: Record<string, string>,
): Telemetry {
  return {
    mode,
    tracer,
    summary,
    stats: () => undefined,
    logStats: () => undefined,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}

/**
 * The batch processor and its exporter. With OTLP/protobuf and our serializer (the default),
 * spans are encoded as they end (`EncodingSpanProcessor`); otherwise the SDK's batch processor
 * keeps span objects for the official serializers or for `exporter` (tests).
 */
function createSpanProcessor(
  config: TelemetryConfig,
  counters: SpanPipelineCounters,
  logger: Logger,
  exporter: SpanExporter | undefined,
): SpanProcessor {
  const onResult = exportHealthLogger(logger, config.tracesEndpoint, "Span");
  const batch = {
    maxQueueSize: config.batch.maxQueueSize,
    maxExportBatchSize: config.batch.maxExportBatchSize,
    scheduledDelayMillis: config.batch.scheduledDelayMs,
    exportTimeoutMillis: config.exportTimeoutMs,
    selfObsMeterProvider: counters.meterProvider,
  };
  const options = {
    url: config.tracesEndpoint,
    headers: { ...config.headers },
    timeoutMillis: config.exportTimeoutMs,
  };
  if (
    exporter === undefined && config.protocol === "http/protobuf" && config.serializer === "fast"
  ) {
    const processor = new EncodingSpanProcessor({
      ...batch,
      maxQueueBytes: config.spanQueueMaxBytes,
      exporter: counters.countingExporter(
        new OtlpEncodedTraceExporter(options),
        onResult,
        countSpans,
      ),
    });
    counters.watchQueueBytes({
      queued: () => processor.queuedBytes,
      capacity: config.spanQueueMaxBytes,
    });
    return processor;
  }
  return new BatchSpanProcessor({
    ...batch,
    exporter: counters.countingExporter(
      exporter ??
        (config.protocol === "http/json"
          ? new JsonExporter(options)
          : new OtlpProtobufTraceExporter(options, config.serializer)),
      onResult,
    ),
  });
}

function countSpans(batch: EncodedSpans): number {
  return batch.spans;
}

/** Builds the sampler named by OTEL_TRACES_SAMPLER. */
export function createSampler(config: Pick<TelemetryConfig, "sampler" | "samplerArg">): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.samplerArg);
  switch (config.sampler) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return ratio;
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: ratio });
  }
}

/** The resource attributes this service reports. */
export function resourceAttributes(config: TelemetryConfig): Record<string, string> {
  return {
    ...config.resourceAttributes,
    "service.name": config.serviceName,
    "service.version": config.resourceAttributes["service.version"] ?? config.serviceVersion,
    "service.instance.id": config.resourceAttributes["service.instance.id"] ??
      crypto.randomUUID(),
    "host.name": config.resourceAttributes["host.name"] ?? hostName(),
  };
}

function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}

/** Logs once when exports start failing and once when they recover, not on every batch. */
function exportHealthLogger(
  logger: Logger,
  endpoint: string,
  signal: "Span" | "Log",
): (result: ExportResult) => void {
  let failing = false;
  const shown = redactUrl(endpoint);
  const items = signal === "Span" ? "spans" : "log records";
  return (result) => {
    const ok = result.code === ExportResultCode.SUCCESS;
    if (ok && failing) logger.info(`${signal} export recovered`, { endpoint: shown });
    if (!ok && !failing) {
      logger.warn(`${signal} export failing; ${items} are dropped until the endpoint answers`, {
        endpoint: shown,
        reason: redactUrlsIn(result.error?.message ?? "unknown"),
      });
    }
    failing = !ok;
  };
}

function diagToLogger(logger: Logger) {
  const write = (message: string, ...args: unknown[]) =>
    logger.debug(`otel: ${message}`, args.length > 0 ? { details: args.map(String) } : undefined);
  return { error: write, warn: write, info: write, debug: write, verbose: write };
}

async function withDeadline(work: Promise<void>, timeoutMs: number, logger: Logger): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const outcome = await Promise.race([work.then(() => "done" as const), deadline]);
    if (outcome === "timeout") logger.warn("Telemetry flush timed out", { timeout_ms: timeoutMs });
  } catch (error) {
    logger.debug("Telemetry flush failed", { error });
  } finally {
    clearTimeout(timer);
  }
}
