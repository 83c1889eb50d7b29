/**
 * The tracing service's running parts behind its two apps: the store, the metrics, the pipeline
 * (tail sampler, writer, forwarder), the span API's open spans, the alert engine and the
 * retention timer, with the order to close them in.
 */
import type { Registry } from "prom-client";
import { createRegistry } from "../lib/http/metrics.ts";
import type { Closer } from "../lib/http/serve.ts";
import type { Logger } from "../lib/log.ts";
import { type AlertEngine, createAlertEngine } from "./alerts/engine.ts";
import type { TracingConfig } from "./config.ts";
import { createTracingMetrics, registerForwardQueueGauge } from "./metrics.ts";
import { ServiceFaults } from "./faults/service_faults.ts";
import { createForwarder } from "./pipeline/forwarder.ts";
import { createPipeline, type Pipeline } from "./pipeline/pipeline.ts";
import { OpenSpans } from "./span_api/open_spans.ts";
import { openTraceStore, type TraceStore } from "./store/store.ts";
import type { WriteAheadLog } from "./ingest/wal.ts";
import { acceptLoggedSpans } from "./ingest/wal_spans.ts";
import { countLimited } from "./ingest/otlp_app.ts";

/** The opened parts and their closers. */
export interface TracingParts {
  store: TraceStore;
  pipeline: Pipeline;
  openSpans: OpenSpans;
  alerts: AlertEngine;
  /** The running services' faults, for the Faults page (SERVICE_URLS). */
  faults: ServiceFaults;
  registry: Registry;
  /** Open spans first (they end into the pipeline), the store last. */
  closers: Closer[];
}

/**
 * Opens the store at `path` and starts the pipeline, the alert engine and retention; with `wal`,
 * items leaving the pipeline are settled in the write-ahead log, closed after the store.
 */
export function openTracingParts(
  config: TracingConfig,
  options: { logger: Logger; path: string; wal?: WriteAheadLog },
): TracingParts {
  const { wal } = options;
  const { logger } = options;
  const store = openTraceStore(options.path);
  const registry = createRegistry();
  const metrics = createTracingMetrics(registry);
  const forwarder = createForwarder({
    ...config.forward,
    logger,
    onOutcome: (endpoint, outcome) => metrics.forwarded.inc({ endpoint, outcome }),
  });
  registerForwardQueueGauge(registry, () => forwarder.queued());
  const pipeline = createPipeline({
    store,
    metrics,
    logger,
    forwarder,
    sampling: config.sampling,
    write: config.store,
    limits: config.limits,
    ...(wal === undefined ? {} : { onSettled: (items) => wal.settle(items) }),
  });
  const openSpans = new OpenSpans({
    ...config.spanApi,
    limits: config.limits,
    onLimited: (tally) => countLimited(metrics, tally),
    finish: (span) => acceptLoggedSpans([span], { pipeline, wal, logger }),
  });
  const alerts = createAlertEngine({ ...config.alerts, store, logger });
  alerts.start();
  const retention = setInterval(
    () => store.enforceRetention(config.store),
    config.store.retentionIntervalMs,
  );
  return {
    store,
    pipeline,
    openSpans,
    alerts,
    faults: new ServiceFaults(config.faults),
    registry,
    closers: [
      { name: "open spans", close: () => openSpans.close() },
      { name: "alerts", close: () => alerts.close() },
      { name: "retention", close: () => clearInterval(retention) },
      { name: "pipeline", close: () => pipeline.close() },
      { name: "forwarder", close: () => forwarder.close() },
      { name: "store", close: () => store.close() },
      ...(wal === undefined ? [] : [{ name: "write-ahead log", close: () => wal.close() }]),
    ],
  };
}
