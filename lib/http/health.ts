/**
 * `/health` (liveness: the process answers) and `/ready` (its dependencies answer).
 * `/health` never checks dependencies, so a broker outage does not get a service restarted.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { logOutputStats } from "../log_output.ts";
import type { Telemetry } from "../telemetry/setup.ts";
import { VERSION } from "../version.ts";

/** A dependency check: resolves to `true`, or to `false`/a reason when not ready. */
export type ReadinessCheck = () => boolean | string | Promise<boolean | string>;

/** How long one readiness check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2000;

/** Routes for `/health` and `/ready`. */
export function healthRoutes(options: {
  service: string;
  telemetry: Telemetry;
  readiness?: Readonly<Record<string, ReadinessCheck>>;
  /** Static facts shown on `/health`, e.g. which database (secrets already masked). */
  details?: Readonly<Record<string, unknown>>;
}): Hono {
  const started = performance.now();
  const app = new Hono();
  // Scoped to the two paths: mounted at "/", a bare `use` would reach every route of the service.
  const noStore: MiddlewareHandler = async (c, next) => {
    await next();
    c.header("cache-control", "no-store");
  };
  app.use("/health", noStore);
  app.use("/ready", noStore);
  app.get("/health", (c) =>
    c.json({
      status: "ok",
      service: options.service,
      version: VERSION,
      uptime_seconds: Math.round((performance.now() - started) / 1000),
      telemetry: {
        ...options.telemetry.summary,
        spans: options.telemetry.stats() ?? null,
        logs: options.telemetry.logStats?.() ?? null,
      },
      log_output: logOutputJson(),
      ...options.details,
    }));
  app.get("/ready", async (c) => {
    const entries = Object.entries(options.readiness ?? {});
    const results = await Promise.all(entries.map(async ([name, check]) => {
      const outcome = await runCheck(check);
      return [name, outcome] as const;
    }));
    const ready = results.every(([, outcome]) => outcome.ok);
    return c.json({
      status: ready ? "ready" : "not_ready",
      service: options.service,
      checks: Object.fromEntries(results),
    }, ready ? 200 : 503);
  });
  return app;
}

function logOutputJson(): { mode: string; dropped_lines: number } {
  const stats = logOutputStats();
  return { mode: stats.mode, dropped_lines: stats.droppedLines };
}

async function runCheck(check: ReadinessCheck): Promise<{ ok: boolean; reason?: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  try {
    const result = await Promise.race([Promise.resolve().then(check), timeout]);
    if (result === true) return { ok: true };
    return { ok: false, reason: result === false ? "not ready" : result };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
