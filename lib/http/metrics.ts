/**
 * Prometheus metrics through prom-client, one registry per service: HTTP request counts and
 * durations per route and status, and the span pipeline's counters.
 */
import type { MiddlewareHandler } from "hono";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { routeTemplate } from "../telemetry/server_middleware.ts";
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

/** Exposes the span pipeline's counters (sdk mode) as Prometheus metrics. */
export function registerTelemetryMetrics(registry: Registry, telemetry: Telemetry): void {
  let last: SpanPipelineStats | undefined;
  const current = () => (last = telemetry.stats() ?? last);
  new Counter({
    name: "otel_sdk_spans_total",
    help: "Finished, sampled spans by what became of them: exported, export_failed, dropped",
    labelNames: ["outcome"] as const,
    registers: [registry],
    collect() {
      const previous = { ...last };
      const stats = current();
      if (stats === undefined) return;
      this.inc({ outcome: "exported" }, stats.exported - (previous.exported ?? 0));
      this.inc({ outcome: "export_failed" }, stats.exportFailed - (previous.exportFailed ?? 0));
      this.inc({ outcome: "dropped" }, stats.dropped - (previous.dropped ?? 0));
    },
  });
  let shedSoFar = 0;
  new Counter({
    name: "otel_sdk_spans_shed_total",
    help:
      "Local root spans not recorded, with their children, because the batch queue was full or span exports were failing",
    registers: [registry],
    collect() {
      const shed = current()?.shed;
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
      const bridged = current()?.shedBridged;
      if (bridged === undefined) return;
      this.inc(bridged - bridgedSoFar);
      bridgedSoFar = bridged;
    },
  });
  new Gauge({
    name: "otel_sdk_span_queue_size",
    help: "Spans waiting in the batch queue",
    registers: [registry],
    collect() {
      this.set(telemetry.stats()?.queued ?? 0);
    },
  });
  new Gauge({
    name: "otel_sdk_span_queue_capacity",
    help: "Capacity of the batch queue",
    registers: [registry],
    collect() {
      this.set(telemetry.stats()?.queueCapacity ?? 0);
    },
  });
}
