/**
 * Prometheus metrics through prom-client, one registry per service: HTTP request counts and
 * durations per route and status, and the span and log record pipelines' counters.
 */
import type { MiddlewareHandler } from "hono";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { routeTemplate } from "../telemetry/server_middleware.ts";
import { logOutputStats } from "../log_output.ts";
import type { Telemetry } from "../telemetry/setup.ts";
import type { SpanPipelineStats } from "../telemetry/stats.ts";

/** Latency buckets in seconds, from 1 ms to 10 s. */
export const LATENCY_BUCKETS = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** A fresh registry; services add their own metrics to it. */
export function createRegistry(): Registry {
  return new Registry();
}

/** Middleware counting and timing every request by method, route and status code. */
export function httpServerMetrics(registry: Registry): MiddlewareHandler {
  const labelNames = ["method", "route", "status_code"] as const;
  const requests = new Counter({
    name: "http_server_requests_total",
    help: "HTTP requests handled, by method, route template and status code",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_server_request_duration_seconds",
    help: "Time to handle an HTTP request, by method, route template and status code",
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const labels = {
        method: c.req.method,
        route: routeTemplate(c) ?? "unmatched",
        status_code: String(c.res.status),
      };
      requests.inc(labels);
      duration.observe(labels, (performance.now() - started) / 1000);
    }
  };
}

/** Exposes the span and log record pipelines' counters (sdk mode) as Prometheus metrics. */
export function registerTelemetryMetrics(registry: Registry, telemetry: Telemetry): void {
  const spans = () => telemetry.stats();
  outcomeCounter(registry, {
    name: "otel_sdk_spans_total",
    help: "Finished, sampled spans by what became of them: exported, export_failed, dropped",
    outcomes: ["exported", "export_failed", "dropped"],
    read: spans,
  });
  let shedSoFar = 0;
  new Counter({
    name: "otel_sdk_spans_shed_total",
    help:
      "Local root spans not recorded, with their children, because the batch queue was full or span exports were failing",
    registers: [registry],
    collect() {
      const shed = spans()?.shed;
      if (shed === undefined) return;
      this.inc(shed - shedSoFar);
      shedSoFar = shed;
    },
  });
  let bridgedSoFar = 0;
  new Counter({
    name: "otel_sdk_spans_shed_bridged_total",
    help:
      "Spans of shed traces recorded after all because their context was sent to another service",
    registers: [registry],
    collect() {
      const bridged = spans()?.shedBridged;
      if (bridged === undefined) return;
      this.inc(bridged - bridgedSoFar);
      bridgedSoFar = bridged;
    },
  });
  queueGauges(registry, { prefix: "otel_sdk_span", items: "Spans", read: spans });

  const logs = () => telemetry.logStats?.();
  outcomeCounter(registry, {
    name: "otel_sdk_log_records_total",
    help:
      "Log records handed to the logs SDK, by what became of them: exported, export_failed, dropped, shed (not handed over while exports failed or the queue was full)",
    outcomes: ["exported", "export_failed", "dropped", "shed"],
    read: logs,
  });
  queueGauges(registry, { prefix: "otel_sdk_log", items: "Log records", read: logs });

  let droppedSoFar = 0;
  new Counter({
    name: "log_lines_dropped_total",
    help: "Log lines dropped because stdout did not take them and the buffer was full",
    registers: [registry],
    collect() {
      const dropped = logOutputStats().droppedLines;
      this.inc(dropped - droppedSoFar);
      droppedSoFar = dropped;
    },
  });
}

/** The label values of a pipeline outcome counter, and the running totals they count. */
const OUTCOME_FIELDS = {
  exported: "exported",
  export_failed: "exportFailed",
  dropped: "dropped",
  shed: "shed",
} as const satisfies Record<string, keyof SpanPipelineStats>;

/** A counter by `outcome` that follows the running totals `read` returns at each scrape. */
function outcomeCounter(registry: Registry, options: {
  name: string;
  help: string;
  outcomes: readonly (keyof typeof OUTCOME_FIELDS)[];
  read: () => SpanPipelineStats | undefined;
}): void {
  let last: SpanPipelineStats | undefined;
  new Counter({
    name: options.name,
    help: options.help,
    labelNames: ["outcome"] as const,
    registers: [registry],
    collect() {
      const stats = options.read();
      if (stats === undefined) return;
      for (const outcome of options.outcomes) {
        const field = OUTCOME_FIELDS[outcome];
        this.inc({ outcome }, stats[field] - (last?.[field] ?? 0));
      }
      last = stats;
    },
  });
}

/** `<prefix>_queue_size` and `<prefix>_queue_capacity` of a batch processor. */
function queueGauges(
  registry: Registry,
  options: { prefix: string; items: string; read: () => SpanPipelineStats | undefined },
): void {
  new Gauge({
    name: `${options.prefix}_queue_size`,
    help: `${options.items} waiting in the batch queue`,
    registers: [registry],
    collect() {
      this.set(options.read()?.queued ?? 0);
    },
  });
  new Gauge({
    name: `${options.prefix}_queue_capacity`,
    help: `Capacity of the ${options.items.toLowerCase()} batch queue`,
    registers: [registry],
    collect() {
      this.set(options.read()?.queueCapacity ?? 0);
    },
  });
}
