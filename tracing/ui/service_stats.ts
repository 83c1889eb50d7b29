/** Rate, error rate and percentiles per service and operation, with the alerts that fire. */
import type { AlertState } from "../alerts/engine.ts";
import { parseDuration } from "../query/params.ts";
import type { StoreQueries } from "../store/query.ts";
import { type LatencyStats, latencyStats } from "../query/trace_view.ts";

/** One service's numbers and its operations'. */
export interface ServiceStats {
  service: string;
  stats: LatencyStats;
  operations: { name: string; stats: LatencyStats }[];
}

/** What the services view shows. */
export interface ServicesView {
  lookback: string;
  services: ServiceStats[];
  alerts: AlertState[];
  error?: string;
}

/** Measures every service over `lookback` (e.g. `1h`); a bad lookback falls back to 1h. */
export function serviceStats(
  store: StoreQueries,
  alerts: AlertState[],
  lookback: string,
  nowMs = Date.now(),
): ServicesView {
  let windowUs: number;
  let error: string | undefined;
  try {
    windowUs = parseDuration("lookback", lookback);
    if (windowUs <= 0) throw new Error(`Invalid lookback "${lookback}": expected more than 0`);
  } catch (cause) {
    error = (cause as Error).message;
    lookback = "1h";
    windowUs = 3.6e9;
  }
  const sinceUs = nowMs * 1000 - windowUs;
  const windowMs = windowUs / 1000;
  const services = store.services().map((service) => ({
    service,
    stats: latencyStats(store.spanSamples({ service, sinceUs }), windowMs),
    operations: [...new Set(store.operations(service).map((op) => op.name))].map((name) => ({
      name,
      stats: latencyStats(store.spanSamples({ service, operation: name, sinceUs }), windowMs),
    })),
  }));
  return { lookback, services, alerts, ...(error === undefined ? {} : { error }) };
}
