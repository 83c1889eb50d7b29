/**
 * Structured logs: one JSON object a line (or one short coloured line for a person, see
 * `LOG_FORMATS`), carrying the active trace and span ids. A sink given to `Logger.ship` also
 * receives every written record, which is how records reach the OTLP logs pipeline.
 * Lines go through the console, one write each, unless `setDefaultLogWriter` (see
 * `log_output.ts`, which services use) installs a buffered writer.
 * This is the only file of the project that touches `console`.
 */
import { trace } from "@opentelemetry/api";
import { redactUrlsIn } from "./config/redact_url.ts";
import { formatPretty } from "./log_pretty.ts";

/** Log levels from most to least verbose. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** One of `LOG_LEVELS`. */
export type LogLevel = typeof LOG_LEVELS[number];

/** How a line looks: a JSON object, or a short line for a person reading a terminal. */
export const LOG_FORMATS = ["json", "pretty"] as const;

/** One of `LOG_FORMATS`. */
export type LogFormat = typeof LOG_FORMATS[number];

/** Extra fields of a log line. Errors are serialized with name, message and stack. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A record that passed the level check, as a sink receives it (in the caller's context). */
export interface LogEntry {
  /** Epoch milliseconds, the same instant as the line's `time`. */
  readonly timeMs: number;
  readonly level: LogLevel;
  readonly msg: string;
  readonly fields: LogFields | undefined;
}

/** Receives each written record; called synchronously, so the caller's span is active. */
export type LogSink = (entry: LogEntry) => void;

/** A logger bound to one service. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Whether lines of `level` are written. */
  enabled(level: LogLevel): boolean;
  /** Hands every record written from now on to `sink` too; `undefined` stops that. */
  ship(sink: LogSink | undefined): void;
}

/** Writes one finished line; the default writes to stdout, warnings and errors to stderr. */
export type LogWriter = (line: string, level: LogLevel) => void;

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const INVALID_TRACE_ID = "00000000000000000000000000000000";

/** Creates a logger; `write` lets tests capture lines. */
export function createLogger(
  options: { service: string; level?: LogLevel; format?: LogFormat; write?: LogWriter },
): Logger {
  const threshold = RANK[options.level ?? "info"];
  const write = options.write ?? ((line: string, level: LogLevel) => defaultWriter(line, level));
  const pretty = options.format === "pretty";
  let sink: LogSink | undefined;
  const log = (level: LogLevel, msg: string, fields?: LogFields): void => {
    // Below the threshold a record costs this comparison and nothing else.
    if (RANK[level] < threshold) return;
    const timeMs = Date.now();
    const record: Record<string, unknown> = {
      time: isoTime(timeMs),
      level,
      service: options.service,
      msg,
    };
    const spanContext = trace.getActiveSpan()?.spanContext();
    if (spanContext !== undefined && spanContext.traceId !== INVALID_TRACE_ID) {
      record.trace_id = spanContext.traceId;
      record.span_id = spanContext.spanId;
    }
    if (fields !== undefined) {
      for (const key of Object.keys(fields)) {
        const value = fields[key];
        record[key] = value instanceof Error ? serializeError(value) : value;
      }
    }
    // stdout first: shipping is a queue push, and a sink that throws must not lose the line.
    // Any URL a library put in a message is written without its secrets.
    write(redactUrlsIn(pretty ? formatPretty(record) : stringifyRecord(record)), level);
    if (sink === undefined) return;
    try {
      sink({ timeMs, level, msg, fields });
    } catch {
      // Telemetry never fails the caller; the line above is already written.
    }
  };
  return {
    debug: (msg, fields) => log("debug", msg, fields),
    info: (msg, fields) => log("info", msg, fields),
    warn: (msg, fields) => log("warn", msg, fields),
    error: (msg, fields) => log("error", msg, fields),
    enabled: (level) => RANK[level] >= threshold,
    ship: (next) => sink = next,
  };
}

let defaultWriter: LogWriter = writeToConsole;

/**
 * Replaces where the lines of every logger without its own `write` go (default: the console,
 * one write a line). Loggers created before the call follow it too.
 */
export function setDefaultLogWriter(write: LogWriter): void {
  defaultWriter = write;
}

/** The console writer: one synchronous write a line, warnings and errors to stderr. */
export function writeToConsole(line: string, level: LogLevel): void {
  // Both warn and error go to stderr; with OTEL_DENO, Deno exports console.warn as WARN and
  // console.error as ERROR, so each keeps its severity there.
  // deno-lint-ignore no-console -- the one place allowed to write to the console
  if (level === "error") console.error(line);
  // deno-lint-ignore no-console -- as above
  else if (level === "warn") console.warn(line);
  // deno-lint-ignore no-console -- as above
  else console.log(line);
}

let isoSecond = Number.NaN;
let isoPrefix = "";

/**
 * `new Date(ms).toISOString()`, which costs about a microsecond a call: the text up to the
 * seconds is kept for the current second, and only the milliseconds are written per line.
 */
export function isoTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    // Everything before "sssZ", whatever the year's width.
    isoPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    isoSecond = second;
  }
  const milli = ms - second * 1000;
  return `${isoPrefix}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}

/** An error as a plain object: name, message, stack and cause. */
export function serializeError(error: Error): Record<string, unknown> {
  const result: Record<string, unknown> = { name: error.name, message: error.message };
  if (error.stack !== undefined) result.stack = error.stack;
  if (error.cause !== undefined) {
    result.cause = error.cause instanceof Error ? serializeError(error.cause) : error.cause;
  }
  return result;
}

function stringifyRecord(record: Record<string, unknown>): string {
  try {
    // Without a replacer JSON.stringify keeps V8's fast path; a bigint or a cycle throws.
    return JSON.stringify(record);
  } catch {
    return safeStringify(record);
  }
}

function safeStringify(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(
      record,
      (_key, value) => typeof value === "bigint" ? value.toString() : value,
    );
  } catch {
    // Keep the line but drop the fields: one of them is circular or throws when serialized.
    const base = ["time", "level", "service", "msg", "trace_id", "span_id"]
      .filter((key) => key in record)
      .map((key) => [key, record[key]]);
    return JSON.stringify({ ...Object.fromEntries(base), fields: "[unserializable]" });
  }
}
