/**
 * The tracing service's two apps: the OTLP receiver (OTLP_PORT) and the query app (PORT) with the
 * own API and its log search, Jaeger v1 and v3 APIs, the span API, alerts, `/health`, `/ready`
 * and `/metrics`.
 * Building them opens nothing and starts no timer.
 */
import type { Hono } from "hono";
import type { Registry } from "prom-client";
import type { Logger } from "../lib/log.ts";
import { createServiceApp } from "../lib/http/service_app.ts";
import { tokenAuth } from "../lib/http/token_auth.ts";
import type { Telemetry } from "../lib/telemetry/setup.ts";
import type { AlertEngine } from "./alerts/engine.ts";
import { alertRoutes } from "./alerts/routes.ts";
import { faultApiRoutes } from "./faults/routes.ts";
import { ServiceFaults } from "./faults/service_faults.ts";
import { faultsUiRoutes } from "./ui/faults_routes.tsx";
import { ownApiRoutes } from "./query/own_api_v1.ts";
import { jaegerV3Routes } from "./query/jaeger_v3.ts";
import { createIngestApp, type IngestDeps } from "./ingest/otlp_app.ts";
import { jaegerV1Routes } from "./query/jaeger_v1.ts";
import { jaegerMetricsRoutes } from "./query/jaeger_metrics.ts";
import { jaegerTransformRoutes } from "./query/jaeger_transform.ts";
import { logsApiRoutes } from "./query/logs_api.ts";
import type { OpenSpans } from "./span_api/open_spans.ts";
import type { Pipeline } from "./pipeline/pipeline.ts";
import { spanApiRoutes } from "./span_api/routes.ts";
import type { TraceStore } from "./store/store.ts";
import { uiRoutes } from "./ui/routes.tsx";

export { createIngestApp, type IngestDeps };

/** What the query app needs. */
export interface QueryDeps {
  store: TraceStore;
  pipeline: Pipeline;
  openSpans: OpenSpans;
  alerts: AlertEngine;
  /** The services' faults the page lists and switches; none when omitted. */
  faults?: ServiceFaults;
  logger: Logger;
  telemetry: Telemetry;
  registry: Registry;
  maxBodyBytes: number;
  /** INGEST_TOKEN: needed by every write (span API, alert rules); also grants reads. */
  writeToken?: string | undefined;
  /** QUERY_TOKEN: needed by reads when set; `/health` and `/ready` stay open. */
  readToken?: string | undefined;
}

/** POSTs of the query port that store nothing (Jaeger's OTLP-to-Jaeger transform). */
const READ_POSTS = ["/api/transform"];

/** Creates the query app. */
export function createQueryApp(deps: QueryDeps): Hono {
  const { app } = createServiceApp({
    service: "tracing",
    logger: deps.logger,
    telemetry: deps.telemetry,
    maxBodyBytes: deps.maxBodyBytes,
    registry: deps.registry,
    readiness: { store: () => deps.store.ping() },
    auth: tokenAuth({
      writeToken: deps.writeToken,
      readToken: deps.readToken,
      openPaths: ["/health", "/ready"],
      readPosts: READ_POSTS,
      realm: "tracing",
    }),
  });
  const health = () => ({
    spans_stored: deps.store.spanCount(),
    database_bytes: deps.store.sizeBytes(),
    open_spans: deps.openSpans.size(),
  });
  app.route("/", ownApiRoutes(deps.store, health));
  app.route("/", logsApiRoutes(deps.store));
  app.route("/", alertRoutes(deps.alerts));
  app.route("/", jaegerV1Routes(deps.store));
  app.route("/", jaegerV3Routes(deps.store));
  app.route("/", jaegerMetricsRoutes(deps.store));
  app.route("/", jaegerTransformRoutes());
  app.route("/", spanApiRoutes(deps.openSpans));
  const faults = deps.faults ?? new ServiceFaults({ services: {} });
  app.route("/", faultApiRoutes(faults));
  app.route("/", faultsUiRoutes(faults));
  app.route("/", uiRoutes(deps.store, deps.alerts));
  return app;
}
