/**
 * The time window of the services and dependencies views: one default and one list of choices,
 * so both pages open on the same stretch of time, the last hour, as the search page does.
 */
import { parseDuration } from "../query/params.ts";

/** The window a view shows when the address names none. */
export const DEFAULT_WINDOW = "1h";
/** The windows the views offer. */
export const WINDOW_CHOICES = ["5m", "15m", "1h", "6h", "24h", "168h"] as const;

/** A window read from the address: its text, its length in µs, and why it was refused. */
export interface ViewWindow {
  lookback: string;
  windowUs: number;
  error?: string;
}

/** Reads `lookback` (e.g. `6h`); a bad or empty one falls back to the default, with the reason. */
export function readWindow(lookback: string): ViewWindow {
  try {
    const windowUs = parseDuration("lookback", lookback);
    if (windowUs <= 0) throw new Error(`Invalid lookback "${lookback}": expected more than 0`);
    return { lookback, windowUs };
  } catch (cause) {
    return {
      lookback: DEFAULT_WINDOW,
      windowUs: parseDuration("lookback", DEFAULT_WINDOW),
      error: (cause as Error).message,
    };
  }
}
