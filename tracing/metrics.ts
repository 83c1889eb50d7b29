/** The tracing service's own Prometheus metrics, on the shared registry. */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { LATENCY_BUCKETS } from "../lib/http/metrics.ts";

/** The counters and histograms the pipeline updates. */
export interface TracingMetrics {
  spansReceived: Counter<"signal">;
  tracesReceived: Counter;
  rejected: Counter<"signal" | "reason">;
  limited: Counter<"what">;
  dropped: Counter<"reason">;
  spansStored: Counter;
  forwarded: Counter<"endpoint" | "outcome">;
  ingestDuration: Histogram<"signal" | "encoding">;
  bodyBytesRead: Counter;
  bodyBytesInflated: Counter;
  spanDuration: Histogram<"service">;
}

/** Registers the metrics on `registry`. */
export function createTracingMetrics(registry: Registry): TracingMetrics {
  const registers = [registry];
  return {
    spansReceived: new Counter({
      name: "tracing_items_received_total",
      help: "Spans, log records and metric data points received, by signal",
      labelNames: ["signal"],
      registers,
    }),
    tracesReceived: new Counter({
      name: "tracing_traces_received_total",
      help: "Distinct trace ids per accepted request, summed",
      registers,
    }),
    rejected: new Counter({
      name: "tracing_items_rejected_total",
      help: "Items refused at ingest, by signal and reason",
      labelNames: ["signal", "reason"],
      registers,
    }),
    limited: new Counter({
      name: "tracing_ingest_limited_total",
      help: "What the ingest limits cut from accepted spans and log records: attributes, " +
        "events and links dropped, entries dropped from array and kvlist values, attributes " +
        "dropped as nested too deep (too_deep, also in attributes), strings cut (truncated)",
      labelNames: ["what"],
      registers,
    }),
    dropped: new Counter({
      name: "tracing_spans_dropped_total",
      help: "Accepted spans not stored, by reason (ratio, rate_limit, write_error)",
      labelNames: ["reason"],
      registers,
    }),
    spansStored: new Counter({
      name: "tracing_spans_stored_total",
      help: "Spans written to the store",
      registers,
    }),
    forwarded: new Counter({
      name: "tracing_forward_requests_total",
      help: "OTLP requests forwarded downstream, by endpoint and outcome (sent, failed, dropped)",
      labelNames: ["endpoint", "outcome"],
      registers,
    }),
    ingestDuration: new Histogram({
      name: "tracing_ingest_duration_seconds",
      help: "Time to decode and queue one OTLP request",
      labelNames: ["signal", "encoding"],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    bodyBytesRead: new Counter({
      name: "tracing_ingest_body_read_bytes_total",
      help: "OTLP request body bytes read from the connection, as sent (compressed or not)",
      registers,
    }),
    bodyBytesInflated: new Counter({
      name: "tracing_ingest_body_inflated_bytes_total",
      help: "Bytes gunzip produced from OTLP request bodies, counted as they were inflated",
      registers,
    }),
    spanDuration: new Histogram({
      name: "tracing_span_duration_seconds",
      help: "Duration of stored spans, by service",
      labelNames: ["service"],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
  };
}

/** Exposes how many requests wait in the forwarder's queues, read at each scrape. */
export function registerForwardQueueGauge(registry: Registry, queued: () => number): void {
  new Gauge({
    name: "tracing_forward_queued_requests",
    help: "OTLP requests waiting to be forwarded, over all endpoints (each queue is bounded by " +
      "FORWARD_QUEUE_SIZE)",
    registers: [registry],
    collect() {
      this.set(queued());
    },
  });
}
