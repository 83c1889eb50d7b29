/**
 * The tracing service's two apps: the OTLP receiver (OTLP_PORT) and the query app (PORT) with the
 * own, Jaeger v1 and v3 APIs, the span API, alerts, `/health`, `/ready` and `/metrics`.
 * Building them opens nothing and starts no timer.
 */
import type { Hono } from "hono";
import type { Registry } from "prom-client";
import type { Logger } from "../lib/log.ts";
import { createServiceApp } from "../lib/service_app.ts";
import type { Telemetry } from "../lib/telemetry.ts";
import { type AlertEngine, alertRoutes } from "./alerts.ts";
import { apiV1Routes } from "./api_v1.ts";
import { apiV3Routes } from "./api_v3.ts";
import { createIngestApp, type IngestDeps } from "./ingest_app.ts";
import { jaegerV1Routes } from "./jaeger_api.ts";
import type { OpenSpans } from "./open_spans.ts";
import type { Pipeline } from "./pipeline.ts";
import { spanApiRoutes } from "./span_api.ts";
import type { TraceStore } from "./store.ts";
import { uiRoutes } from "./ui/routes.tsx";

export { createIngestApp, type IngestDeps };

/** What the query app needs. */
export interface QueryDeps {
  store: TraceStore;
  pipeline: Pipeline;
  openSpans: OpenSpans;
  alerts: AlertEngine;
  logger: Logger;
  telemetry: Telemetry;
  registry: Registry;
  maxBodyBytes: number;
}

/** Creates the query app. */
export function createQueryApp(deps: QueryDeps): Hono {
  const { app } = createServiceApp({
    service: "tracing",
    logger: deps.logger,
    telemetry: deps.telemetry,
    maxBodyBytes: deps.maxBodyBytes,
    registry: deps.registry,
    readiness: { store: () => deps.store.ping() },
  });
  const health = () => ({
    spans_stored: deps.store.spanCount(),
    database_bytes: deps.store.sizeBytes(),
    open_spans: deps.openSpans.size(),
  });
  app.route("/", apiV1Routes(deps.store, health));
  app.route("/", alertRoutes(deps.alerts));
  app.route("/", jaegerV1Routes(deps.store));
  app.route("/", apiV3Routes(deps.store));
  app.route("/", spanApiRoutes(deps.openSpans));
  app.route("/", uiRoutes(deps.store, deps.alerts));
  return app;
}
