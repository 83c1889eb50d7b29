/**
 * Jaeger's metrics API for the Monitor tab (SPM), answered from the store, with no Prometheus:
 * `/api/metrics/{latencies,calls,errors}` give a `MetricFamily` and `/api/metrics/minstep` the
 * finest step in ms, both in jaeger-query's shapes; errors come in Jaeger's envelope.
 */
import { Hono } from "hono";
import { HttpError } from "../../lib/http/errors.ts";
import type { StoreQueries } from "../store/query.ts";
import { jaegerEnvelope, jaegerErrorHandler } from "./jaeger_envelope.ts";
import { type MetricType, readMetricsQuery } from "./jaeger_metrics_params.ts";
import { metricFamily } from "./span_metrics.ts";

const METRIC_TYPES: readonly string[] = ["latencies", "calls", "errors"];

/** The most spans one metrics query reads per service, so a long lookback cannot exhaust memory. */
export const MAX_METRIC_SPANS = 1_000_000;

/** Routes of the metrics API; `now` (epoch ms) is the default `endTs`. */
export function jaegerMetricsRoutes(
  store: StoreQueries,
  options: { now?: () => number; maxSpans?: number } = {},
): Hono {
  const { now = Date.now, maxSpans = MAX_METRIC_SPANS } = options;
  const app = new Hono();
  app.onError(jaegerErrorHandler);
  // Spans are stored with microsecond times, so any whole millisecond is a valid step.
  app.get("/api/metrics/minstep", (c) => jaegerEnvelope(c, 1));
  app.get("/api/metrics/:type", (c) => {
    const type = c.req.param("type");
    if (!METRIC_TYPES.includes(type)) {
      throw new HttpError(
        404,
        "not_found",
        `Unknown metric type "${type}": expected one of ${METRIC_TYPES.join(", ")} or minstep`,
      );
    }
    const query = readMetricsQuery(c.req.url, type as MetricType, now());
    const spans = store.metricSpans({
      services: query.services,
      kinds: query.spanKinds,
      sinceUs: (query.endMs - query.lookbackMs - query.ratePerMs) * 1000,
      untilUs: query.endMs * 1000,
      limit: maxSpans + 1,
    });
    const perService = new Map<string, number>();
    for (const span of spans) perService.set(span.service, (perService.get(span.service) ?? 0) + 1);
    if ([...perService.values()].some((count) => count > maxSpans)) {
      throw new HttpError(
        400,
        "too_many_spans",
        `Too many spans for lookback "${query.lookbackMs}" plus ratePer "${query.ratePerMs}": more than ${maxSpans} a service; ask for a shorter time range`,
      );
    }
    return c.json(metricFamily(type as MetricType, spans, query));
  });
  return app;
}
