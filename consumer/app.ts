/** The consumer's routes: health, readiness, metrics and GET /stats. */
import type { Hono } from "hono";
import type { Registry } from "prom-client";
import type { ReadinessCheck } from "../lib/http/health.ts";
import type { Logger } from "../lib/log.ts";
import { createServiceApp } from "../lib/http/service_app.ts";
import type { FaultRegistry } from "../lib/faults/registry.ts";
import type { Telemetry } from "../lib/telemetry/setup.ts";
import type { ConsumerStats } from "./stats.ts";

/** What the consumer app needs. */
export interface ConsumerAppDeps {
  stats: ConsumerStats;
  /** Messages being processed right now. */
  inFlight: () => number;
  /** The registry the worker's metrics live on. */
  registry: Registry;
  logger: Logger;
  telemetry: Telemetry;
  maxBodyBytes: number;
  readiness?: Readonly<Record<string, ReadinessCheck>>;
  /** The faults its work reads (`processing_errors`, `slow_consumer`). */
  faults?: FaultRegistry;
  /** FAULTS_TOKEN: when set, switching a fault needs it. */
  faultsToken?: string | undefined;
}

/** Builds the app; opens nothing. */
export function createApp(deps: ConsumerAppDeps): Hono {
  const { app } = createServiceApp({ service: "consumer", ...deps });
  app.get("/stats", (c) => {
    c.header("cache-control", "no-store");
    return c.json(deps.stats.view(deps.inFlight()));
  });
  return app;
}
