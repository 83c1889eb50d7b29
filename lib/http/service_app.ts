/**
 * The Hono app every service starts from: head limits, tracing, request log, metrics, body limit,
 * JSON errors, `/health`, `/ready`, `/metrics` and `/faults`. A service adds its own routes to the returned app.
 */
import { Hono, type MiddlewareHandler } from "hono";
import type { Registry } from "prom-client";
import { limitBodySize } from "./body.ts";
import { requestLog } from "./request_log.ts";
import { createErrorHandler, logServerErrors, notFoundHandler } from "./errors.ts";
import { healthRoutes, type ReadinessCheck } from "./health.ts";
import { limitRequestHead } from "./request_head.ts";
import { httpServerTracing } from "../telemetry/server_middleware.ts";
import type { Logger } from "../log.ts";
import { createRegistry, httpServerMetrics, registerTelemetryMetrics } from "./metrics.ts";
import type { Telemetry } from "../telemetry/setup.ts";
import type { FaultRegistry } from "../faults/registry.ts";
import { faultRoutes, registerFaultMetrics } from "../faults/routes.ts";

/** What `createServiceApp` needs. */
export interface ServiceAppOptions {
  service: string;
  logger: Logger;
  telemetry: Telemetry;
  /** Request bodies above this size get 413. */
  maxBodyBytes: number;
  /** Checks behind `/ready`, by dependency name. */
  readiness?: Readonly<Record<string, ReadinessCheck>>;
  /** Static facts shown on `/health` (secrets already masked). */
  health?: Readonly<Record<string, unknown>>;
  /** The registry for `/metrics`; a new one when omitted. */
  registry?: Registry;
  /** Access control run before every route, `/health`, `/ready` and `/metrics` included. */
  auth?: MiddlewareHandler;
  /** The service's faults, served at `/faults` and counted on `/metrics`. */
  faults?: FaultRegistry;
  /** FAULTS_TOKEN: when set, switching a fault needs it. */
  faultsToken?: string | undefined;
}

/** The base app and the metrics registry it exposes. */
export interface ServiceApp {
  app: Hono;
  registry: Registry;
}

/** Creates the base app. Opens nothing and starts no timer, so tests can build many. */
export function createServiceApp(options: ServiceAppOptions): ServiceApp {
  const registry = options.registry ?? createRegistry();
  registerTelemetryMetrics(registry, options.telemetry);

  const app = new Hono();
  const untracedPaths = ["/health", "/ready", "/metrics"];
  // Before tracing, so an oversize URL or header never becomes a span attribute.
  app.use(limitRequestHead());
  app.use(httpServerTracing({
    tracer: options.telemetry.tracer,
    mode: options.telemetry.mode,
    untracedPaths,
  }));
  app.use(requestLog(options.logger, { quietPaths: untracedPaths }));
  app.use(httpServerMetrics(registry));
  app.use(logServerErrors(options.logger));
  app.use(limitBodySize(options.maxBodyBytes));
  if (options.auth !== undefined) app.use(options.auth);
  app.onError(createErrorHandler(options.logger));
  app.notFound(notFoundHandler);

  app.route(
    "/",
    healthRoutes({
      service: options.service,
      telemetry: options.telemetry,
      readiness: options.readiness,
      details: options.health,
    }),
  );
  if (options.faults !== undefined) {
    registerFaultMetrics(registry, options.faults);
    app.route(
      "/",
      faultRoutes({
        service: options.service,
        faults: options.faults,
        token: options.faultsToken,
      }),
    );
  }
  app.get("/metrics", async (c) => {
    c.header("content-type", registry.contentType);
    c.header("cache-control", "no-store");
    return c.body(await registry.metrics());
  });
  return { app, registry };
}
