/**
 * `GET /faults` lists a service's faults with their parameters and state; `PUT /faults/{name}`
 * switches one (behind the write token) and answers its new state. Switches are counted on
 * `/metrics` as `faults_switched_total` and each fault's state is `fault_enabled`.
 */
import { Hono } from "hono";
import { Counter, Gauge, type Registry } from "prom-client";
import { z } from "zod";
import { readJson } from "../http/body.ts";
import { HttpError } from "../http/errors.ts";
import { tokenAuth } from "../http/token_auth.ts";
import { InvalidFaultChangeError } from "./fault.ts";
import { type FaultRegistry, UnknownFaultError } from "./registry.ts";

/** What `faultRoutes` needs. */
export interface FaultRoutesOptions {
  service: string;
  faults: FaultRegistry;
  /** FAULTS_TOKEN: when set, `PUT /faults/{name}` needs it as a bearer token. */
  token?: string | undefined;
}

/** The fault API. */
export function faultRoutes(options: FaultRoutesOptions): Hono {
  const { faults } = options;
  const app = new Hono();
  app.use("/faults/*", tokenAuth({ writeToken: options.token, realm: options.service }));
  app.get("/faults", (c) => {
    c.header("cache-control", "no-store");
    return c.json({ service: options.service, faults: faults.list() });
  });
  app.get("/faults/:name", (c) => {
    c.header("cache-control", "no-store");
    return c.json(answer(() => faults.view(c.req.param("name"))));
  });
  app.put("/faults/:name", async (c) => {
    const name = c.req.param("name");
    answer(() => faults.view(name)); // 404 before the body is read
    const change = await readJson(c, z.unknown());
    return c.json(answer(() => faults.change(name, change)));
  });
  return app;
}

/** Registers `faults_switched_total{fault,state}` and `fault_enabled{fault}` on `registry`. */
export function registerFaultMetrics(registry: Registry, faults: FaultRegistry): void {
  const counted = new Map<string, number>();
  new Counter({
    name: "faults_switched_total",
    help: "Fault switches, by fault and the state switched to (on, off), at start or by the API",
    labelNames: ["fault", "state"] as const,
    registers: [registry],
    collect() {
      for (const [key, count] of faults.switchCounts()) {
        const [fault = "", state = ""] = key.split(",");
        this.inc({ fault, state }, count - (counted.get(key) ?? 0));
        counted.set(key, count);
      }
    },
  });
  new Gauge({
    name: "fault_enabled",
    help: "Whether a fault is switched on (1) or off (0)",
    labelNames: ["fault"] as const,
    registers: [registry],
    collect() {
      for (const fault of faults.list()) {
        this.set({ fault: fault.name }, fault.state.enabled ? 1 : 0);
      }
    },
  });
}

function answer<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof UnknownFaultError) {
      throw new HttpError(404, "fault_not_found", error.message, { cause: error });
    }
    if (error instanceof InvalidFaultChangeError) {
      throw new HttpError(400, "invalid_fault_change", error.message, { cause: error });
    }
    throw error;
  }
}
