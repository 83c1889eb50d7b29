/**
 * How a service's log lines leave the process. `buffered` (the default of services): debug and
 * info lines gather in a bounded `LineBuffer` and reach stdout in one write of about 16 KiB, at
 * most 100 ms late, from a thread of their own (`StdoutThread`), so a request pays for a string
 * append and a blocked stdout costs dropped lines (counted) instead of stalled requests.
 * Warnings and errors go to stderr at once, as before. Each stream keeps its order; the two
 * streams may interleave differently than they were logged. What is buffered is written before
 * the process ends: on `Deno.exit` (which graceful shutdown ends with), at the natural end and
 * before an uncaught error or unhandled rejection ends it. `sync` writes every line at once
 * through the console, for debugging and for Deno's built-in telemetry, which exports console
 * calls in the caller's context.
 */
import { LineBuffer } from "./log_buffer.ts";
import { createLogger, type LogFormat, type LogLevel, setDefaultLogWriter } from "./log.ts";
import { StdoutThread } from "./stdout_thread.ts";

/** `buffered` or `sync`, as LOG_SYNC chooses. */
export type LogOutputMode = "buffered" | "sync";

/** What the log output did so far, for `/health` and `/metrics`. */
export interface LogOutputStats {
  mode: LogOutputMode;
  /** Lines dropped because too many bytes were waiting for stdout. */
  droppedLines: number;
}

/** How long the last lines may take to be written when the process ends. */
const EXIT_DRAIN_MS = 2000;

let stdout: LineBuffer | undefined;

/**
 * Sets the output of every logger without its own `write`, once per process (`startService`
 * calls it from the config). `service` and `format` shape the one warning about dropped lines.
 */
export function configureLogOutput(options: {
  mode: LogOutputMode;
  maxUnwrittenBytes: number;
  service: string;
  format: LogFormat;
}): void {
  if (options.mode === "sync" || stdout !== undefined) return;
  const stderr = createLogger({
    service: options.service,
    format: options.format,
    write: toStderr,
  });
  const thread = new StdoutThread(options.maxUnwrittenBytes);
  thread.start();
  const buffer = new LineBuffer({
    sink: thread,
    maxUnwrittenBytes: options.maxUnwrittenBytes,
    warn: (dropped) =>
      stderr.warn("Log lines dropped: stdout did not take them fast enough", {
        dropped,
        max_unwritten_bytes: options.maxUnwrittenBytes,
      }),
  });
  stdout = buffer;
  setDefaultLogWriter((line, level) => {
    if (level === "debug" || level === "info") buffer.write(line);
    else toStderr(line);
  });
  const drain = () => {
    if (buffer.drainSync(EXIT_DRAIN_MS)) return;
    stderr.warn("Log lines lost at exit: stdout did not take them in time", {
      unwritten_bytes: buffer.unwrittenBytes(),
      waited_ms: EXIT_DRAIN_MS,
    });
  };
  // `unload` runs at Deno.exit and when the event loop ends; not when an uncaught error ends
  // the process, hence the other two. Neither prevents the default: the process still ends.
  globalThis.addEventListener("unload", drain);
  globalThis.addEventListener("error", drain);
  globalThis.addEventListener("unhandledrejection", drain);
}

/** The output's mode and its count of dropped lines. */
export function logOutputStats(): LogOutputStats {
  return stdout === undefined
    ? { mode: "sync", droppedLines: 0 }
    : { mode: "buffered", droppedLines: stdout.dropped };
}

const encoder = new TextEncoder();

function toStderr(line: string, _level?: LogLevel): void {
  const bytes = encoder.encode(`${line}\n`);
  let offset = 0;
  try {
    while (offset < bytes.length) offset += Deno.stderr.writeSync(bytes.subarray(offset));
  } catch {
    // stderr is closed: nothing left to tell.
  }
}
