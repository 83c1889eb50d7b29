/**
 * The `pretty` log format: one short line a record for a person at a terminal, e.g.
 * `12:04:05.123 INFO  order  Order created order_id=7 username=ada  trace=4bf92f35`.
 * Time of day, level in colour, service, message, the fields as `key=value`, a short trace id.
 */

const COLORS: Readonly<Record<string, string>> = {
  debug: "\x1b[90m",
  info: "\x1b[32m",
  warn: "\x1b[33m",
  error: "\x1b[31m",
};
const RESET = "\x1b[0m";
const DIM = "\x1b[2m";
/** Keys the line shows in fixed places, or not at all (the span id is in the trace). */
const PLACED = new Set(["time", "level", "service", "msg", "trace_id", "span_id"]);
/** Longest value shown for one field; the JSON format keeps everything. */
const MAX_VALUE = 80;
/** As many digits of the trace id as the trace page needs to open it (a unique prefix). */
const TRACE_ID_SHOWN = 8;

/** Formats a record built by the logger (fields already serialized, errors as objects). */
export function formatPretty(record: Readonly<Record<string, unknown>>): string {
  const level = String(record.level);
  const time = String(record.time).slice(11, 23);
  const parts = [
    `${DIM}${time}${RESET}`,
    `${COLORS[level] ?? ""}${level.toUpperCase().padEnd(5)}${RESET}`,
    String(record.service),
    withoutControls(String(record.msg)),
  ];
  for (const [key, value] of Object.entries(record)) {
    if (PLACED.has(key) || value === undefined) continue;
    parts.push(`${key}=${shortValue(value)}`);
  }
  if (typeof record.trace_id === "string") {
    parts.push(`${DIM}trace=${record.trace_id.slice(0, TRACE_ID_SHOWN)}${RESET}`);
  }
  return parts.join(" ");
}

function shortValue(value: unknown): string {
  let text: string;
  if (typeof value === "string") {
    text = /[\s"=]/.test(value) || value === "" ? JSON.stringify(value) : value;
  } else if (isErrorObject(value)) {
    // A serialized error reads best as its name and message; the JSON format keeps the stack.
    text = JSON.stringify(`${value.name}: ${value.message}`);
  } else {
    try {
      text = JSON.stringify(value, (_k, v) => typeof v === "bigint" ? v.toString() : v) ??
        String(value);
    } catch {
      text = "[unserializable]";
    }
  }
  text = withoutControls(text);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** Control characters would let a message or field rewrite the terminal line. */
function withoutControls(text: string): string {
  // deno-lint-ignore no-control-regex -- matching them is the point
  return text.replace(/[\x00-\x1f\x7f]/g, " ");
}

function isErrorObject(value: unknown): value is { name: string; message: string } {
  return value !== null && typeof value === "object" && "message" in value && "name" in value &&
    "stack" in value;
}
