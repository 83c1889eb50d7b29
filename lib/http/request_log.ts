/**
 * One `info` line per request, as most servers write: method, route template, status and
 * duration. Registered inside the tracing middleware, so the line carries the SERVER span's ids
 * and appears under that span in the trace.
 */
import type { MiddlewareHandler } from "hono";
import type { Logger } from "../log.ts";
import { routeTemplate } from "../telemetry/server_middleware.ts";

/** Logs each request once it is answered; `quietPaths` (probes, scrapes) are not logged. */
export function requestLog(
  logger: Logger,
  options: { quietPaths?: readonly string[] } = {},
): MiddlewareHandler {
  const quiet = new Set(options.quietPaths ?? []);
  return async (c, next) => {
    // Checked first so that LOG_LEVEL=warn makes this middleware cost one call.
    if (!logger.enabled("info") || quiet.has(c.req.path)) return await next();
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = routeTemplate(c);
      logger.info("Request handled", {
        method: c.req.method,
        route: route ?? c.req.path,
        status: c.res.status,
        duration_ms: Math.round((performance.now() - started) * 100) / 100,
      });
    }
  };
}
