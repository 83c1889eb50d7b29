/**
 * Ships the logger's records over OTLP through the official logs SDK: a `LoggerProvider` with a
 * `BatchLogRecordProcessor` and the OTLP/HTTP logs exporter, beside the tracer provider.
 *
 * Each record carries the active span's trace id, span id and flags (the SDK reads them from the
 * caller's context), the severity, the service's resource, and the logger's fields as attributes.
 * The pipeline behaves like the span pipeline: the same batch limits, every drop and failed
 * export counted, and an `ExportGate` that stops handing records to the SDK while the queue is
 * full or exports fail, so a dead collector costs a record one check. Writing to stdout happens
 * before any of this and never waits for it.
 */
import {
  type Attributes,
  type AttributeValue,
  type Logger as OtelLogger,
  SeverityNumber,
} from "@opentelemetry/api";
import type { ExportResult } from "@opentelemetry/core";
import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtobufLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import type { Resource } from "@opentelemetry/resources";
import {
  BatchLogRecordProcessor,
  LoggerProvider,
  type LogRecordExporter,
  type LogRecordProcessor,
} from "@opentelemetry/sdk-logs";
import type { LogEntry, LogFields, LogLevel, LogSink } from "../log.ts";
import type { LogsExportConfig } from "./config.ts";
import { ExportGate } from "./export_gate.ts";
import { SpanPipelineCounters, type SpanPipelineStats } from "./stats.ts";

/** Options of `LogShipper`. */
export interface LogShipperOptions {
  config: LogsExportConfig;
  resource: Resource;
  /** Instrumentation scope of the records. */
  scope: { name: string; version: string };
  /** Replaces the OTLP exporter (tests pass an in-memory one). */
  exporter?: LogRecordExporter;
  /** Replaces the batch processor (tests pass a simple one around their exporter). */
  processor?: LogRecordProcessor;
  /** Hears every export result, e.g. to log when exports start failing. */
  onExportResult?: (result: ExportResult) => void;
  /** The gate's clock, for tests. */
  now?: () => number;
}

const SEVERITY: Readonly<Record<LogLevel, SeverityNumber>> = {
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
};
const SEVERITY_TEXT: Readonly<Record<LogLevel, string>> = {
  debug: "DEBUG",
  info: "INFO",
  warn: "WARN",
  error: "ERROR",
};

/** The OTLP logs pipeline of one service; `sink` is what the logger's `ship` takes. */
export class LogShipper {
  readonly #provider: LoggerProvider;
  readonly #gate: ExportGate;
  readonly #counters: SpanPipelineCounters;
  readonly #otelLogger: OtelLogger;

  constructor(options: LogShipperOptions) {
    const { config } = options;
    this.#gate = new ExportGate({ probeSpans: config.batch.maxExportBatchSize, now: options.now });
    this.#counters = new SpanPipelineCounters(this.#gate, "log");
    const processor = options.processor ?? new BatchLogRecordProcessor({
      exporter: this.#counters.countingExporter(
        options.exporter ?? createLogExporter(config),
        options.onExportResult,
      ),
      maxQueueSize: config.batch.maxQueueSize,
      maxExportBatchSize: config.batch.maxExportBatchSize,
      scheduledDelayMillis: config.batch.scheduledDelayMs,
      exportTimeoutMillis: config.exportTimeoutMs,
      selfObsMeterProvider: this.#counters.meterProvider,
    });
    this.#provider = new LoggerProvider({ resource: options.resource, processors: [processor] });
    this.#otelLogger = this.#provider.getLogger(options.scope.name, options.scope.version);
  }

  /** Hands one record to the SDK, unless the gate sheds it (counted in `stats().shed`). */
  readonly sink: LogSink = (entry: LogEntry): void => {
    if (!this.#gate.isOpen && !this.#gate.admit()) return;
    const error = entry.fields?.error;
    this.#otelLogger.emit({
      timestamp: entry.timeMs,
      severityNumber: SEVERITY[entry.level],
      severityText: SEVERITY_TEXT[entry.level],
      body: entry.msg,
      attributes: logAttributes(entry.fields),
      // The SDK turns an error into exception.type, exception.message and exception.stacktrace.
      ...(error instanceof Error ? { exception: error } : {}),
    });
  };

  /** Counters of the log record pipeline (`shed` counts records, not traces). */
  stats(): SpanPipelineStats {
    return this.#counters.snapshot();
  }

  /** Exports what is buffered. */
  forceFlush(timeoutMs: number): Promise<void> {
    return this.#provider.forceFlush({ timeoutMillis: timeoutMs });
  }

  /** Flushes and stops; records logged afterwards go to stdout only. */
  shutdown(): Promise<void> {
    return this.#provider.shutdown();
  }
}

function createLogExporter(config: LogsExportConfig): LogRecordExporter {
  const options = {
    url: config.endpoint,
    headers: { ...config.headers },
    timeoutMillis: config.exportTimeoutMs,
  };
  return config.protocol === "http/json"
    ? new JsonLogExporter(options)
    : new ProtobufLogExporter(options);
}

/**
 * The logger's fields as attributes: strings, numbers and booleans as they are, arrays of them
 * as arrays, anything else as compact JSON (a record's attributes stay flat and searchable).
 */
export function logAttributes(fields: LogFields | undefined): Attributes {
  const attributes: Attributes = {};
  if (fields === undefined) return attributes;
  for (const [key, value] of Object.entries(fields)) {
    const attribute = attributeValue(value);
    if (attribute !== undefined) attributes[key] = attribute;
  }
  return attributes;
}

function attributeValue(value: unknown): AttributeValue | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return value;
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return undefined;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
  if (Array.isArray(value) && value.every((item) => typeof item === "number")) return value;
  try {
    return JSON.stringify(value, (_k, v) => typeof v === "bigint" ? v.toString() : v);
  } catch {
    return "[unserializable]";
  }
}
