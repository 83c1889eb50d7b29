/** Formatting shared by the page's views: durations, times, service colours, links. */

/** A duration in µs as short text: `840µs`, `12.3ms`, `1.25s`, `2m05s`. */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return "–";
  if (us < 1000) return `${Math.round(us)}µs`;
  if (us < 1e6) return `${trim(us / 1000)}ms`;
  if (us < 6e7) return `${trim(us / 1e6)}s`;
  const minutes = Math.floor(us / 6e7);
  const seconds = Math.round((us - minutes * 6e7) / 1e6);
  return `${minutes}m${String(seconds).padStart(2, "0")}s`;
}

function trim(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** A count with its noun in the right number: `1 span`, `2 spans`, `0 errors`. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** Epoch µs as `2025-01-31 12:03:04.123` (UTC). */
export function formatTime(us: number): string {
  return new Date(us / 1000).toISOString().replace("T", " ").replace("Z", "");
}

/** A millisecond value or a dash. */
export function formatMs(ms: number | null): string {
  return ms === null ? "–" : formatDuration(ms * 1000);
}

/** A 0–1 ratio as a percentage. */
export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.01 ? 2 : 1)}%`;
}

// Distinguishable on white; none is the red that marks errors. With the seed below, the
// project's five services get five different colours.
const PALETTE = [
  "#1f77b4",
  "#d6731c",
  "#d45087",
  "#9467bd",
  "#8c564b",
  "#c2408f",
  "#5f6b78",
  "#138c99",
  "#8a8a1e",
  "#2ca02c",
  "#3b4cc0",
  "#7a5195",
];

/** A stable colour per service name, from a fixed palette. */
export function serviceColor(service: string): string {
  let hash = 2166136263;
  for (let i = 0; i < service.length; i++) {
    hash = Math.imul(hash ^ service.charCodeAt(i), 16777619);
  }
  return PALETTE[(hash >>> 0) % PALETTE.length]!;
}

/** A query string from defined, non-empty values. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

/** The path of a trace's page, optionally at one span. */
export function traceHref(traceId: string, spanId?: string): string {
  const id = encodeURIComponent(traceId);
  return spanId === undefined ? `/trace/${id}` : `/trace/${id}#span-${encodeURIComponent(spanId)}`;
}

/** Percentage of `part` in `whole`, clamped to [0, 100]. */
export function percent(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.min(100, Math.max(0, (part / whole) * 100));
}

/** The most characters of one value the page shows; the JSON link has all of it. */
export const MAX_SHOWN_VALUE = 1024;

/** `text` as the page shows it: cut at `MAX_SHOWN_VALUE`, saying how much more there is. */
export function shownText(text: string): string {
  if (text.length <= MAX_SHOWN_VALUE) return text;
  return `${text.slice(0, MAX_SHOWN_VALUE)}… (${text.length - MAX_SHOWN_VALUE} more characters)`;
}
