/** Rate, error rate and percentiles per service and operation, with the alerts that fire. */
import type { AlertState } from "../alerts/engine.ts";
import { readWindow } from "./window.ts";
import { SPAN_KINDS } from "../span_model.ts";
import type { StoreQueries } from "../store/query.ts";
import { type LatencyStats, latencyStats } from "../query/trace_view.ts";

/** One service's numbers and its operations'. */
export interface ServiceStats {
  service: string;
  stats: LatencyStats;
  /** One row per operation name and span kind: order's CLIENT `GET` is not a SERVER `GET`. */
  operations: { name: string; kind: string; stats: LatencyStats }[];
}

/** What the services view shows. */
export interface ServicesView {
  lookback: string;
  services: ServiceStats[];
  alerts: AlertState[];
  error?: string;
}

/** Measures every service over `lookback` (e.g. `1h`); a bad one falls back to the default. */
export function serviceStats(
  store: StoreQueries,
  alerts: AlertState[],
  lookback: string,
  nowMs = Date.now(),
): ServicesView {
  const { windowUs, error, ...window } = readWindow(lookback);
  const sinceUs = nowMs * 1000 - windowUs;
  const windowMs = windowUs / 1000;
  const services = store.services().map((service) => ({
    service,
    stats: latencyStats(store.spanSamples({ service, sinceUs }), windowMs),
    operations: store.operations(service).map((op) => ({
      name: op.name,
      kind: SPAN_KINDS[op.kind] ?? "unspecified",
      stats: latencyStats(
        store.spanSamples({ service, operation: op.name, kind: op.kind, sinceUs }),
        windowMs,
      ),
    })),
  }));
  return {
    lookback: window.lookback,
    services,
    alerts,
    ...(error === undefined ? {} : { error }),
  };
}
