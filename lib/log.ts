/**
 * Structured logs: one JSON object a line, carrying the active trace and span ids.
 * This is the only file of the project that touches `console`.
 */
import { trace } from "@opentelemetry/api";

/** Log levels from most to least verbose. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** One of `LOG_LEVELS`. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Extra fields of a log line. Errors are serialized with name, message and stack. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A logger bound to one service. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Whether lines of `level` are written. */
  enabled(level: LogLevel): boolean;
}

/** Writes one finished line; the default writes to stdout, warnings and errors to stderr. */
export type LogWriter = (line: string, level: LogLevel) => void;

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Creates a logger; `write` lets tests capture lines. */
export function createLogger(
  options: { service: string; level?: LogLevel; write?: LogWriter },
): Logger {
  const threshold = RANK[options.level ?? "info"];
  const write = options.write ?? writeToConsole;
  const log = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[level] < threshold) return;
    const record: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      service: options.service,
      msg,
    };
    const spanContext = trace.getActiveSpan()?.spanContext();
    if (spanContext !== undefined && spanContext.traceId !== "00000000000000000000000000000000") {
      record.trace_id = spanContext.traceId;
      record.span_id = spanContext.spanId;
    }
    for (const [key, value] of Object.entries(fields ?? {})) {
      record[key] = value instanceof Error ? serializeError(value) : value;
    }
    write(safeStringify(record), level);
  };
  return {
    debug: (msg, fields) => log("debug", msg, fields),
    info: (msg, fields) => log("info", msg, fields),
    warn: (msg, fields) => log("warn", msg, fields),
    error: (msg, fields) => log("error", msg, fields),
    enabled: (level) => RANK[level] >= threshold,
  };
}

function writeToConsole(line: string, level: LogLevel): void {
  // deno-lint-ignore no-console -- the one place allowed to write to the console
  if (RANK[level] >= RANK.warn) console.error(line);
  // deno-lint-ignore no-console -- as above
  else console.log(line);
}

function serializeError(error: Error): Record<string, unknown> {
  const result: Record<string, unknown> = { name: error.name, message: error.message };
  if (error.stack !== undefined) result.stack = error.stack;
  if (error.cause !== undefined) {
    result.cause = error.cause instanceof Error ? serializeError(error.cause) : error.cause;
  }
  return result;
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
