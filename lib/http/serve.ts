/**
 * Serves a Hono app with `Deno.serve` and stops it gracefully on SIGINT/SIGTERM:
 * stop accepting and drain in-flight requests, close dependencies (in the order given),
 * flush and shut down telemetry, exit 0. A hard deadline exits 1 if any step hangs.
 */
import type { Hono } from "hono";
import type { Logger } from "../log.ts";
import type { Telemetry } from "../telemetry/setup.ts";

/** A dependency to close on shutdown, e.g. a consumer or a database. */
export interface Closer {
  name: string;
  close(): void | Promise<void>;
}

/** What `serveApp` needs. */
export interface ServeOptions {
  hostname: string;
  port: number;
  logger: Logger;
  telemetry: Telemetry;
  shutdownTimeoutMs: number;
  /** Closed after the server drained, before telemetry shuts down. */
  closers?: readonly Closer[];
  /** Closed before the server drains, e.g. a consumer that must stop taking work first. */
  beforeDrain?: readonly Closer[];
}

/** A running server. */
export interface RunningServer {
  readonly server: Deno.HttpServer<Deno.NetAddr>;
  /** The port actually bound (useful with PORT=0). */
  readonly port: number;
  /** Runs the graceful stop once; later calls return the same promise. */
  stop(reason: string): Promise<void>;
}

/** Starts serving and installs the signal handlers. */
export function serveApp(app: Hono, options: ServeOptions): RunningServer {
  const { logger } = options;
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    onListen: ({ hostname, port }) => logger.info("Listening", { hostname, port }),
  }, app.fetch);

  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= shutdown(server, options, reason);
    return stopping;
  };
  const onSignal = (signal: Deno.Signal) => () => {
    stop(signal).then(() => Deno.exit(0));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, onSignal(signal));
  }
  return { server, port: server.addr.port, stop };
}

async function shutdown(
  server: Deno.HttpServer,
  options: ServeOptions,
  reason: string,
): Promise<void> {
  const { logger } = options;
  logger.info("Shutting down", { reason, timeout_ms: options.shutdownTimeoutMs });
  const deadline = setTimeout(() => {
    logger.error("Shutdown deadline passed; exiting", { timeout_ms: options.shutdownTimeoutMs });
    Deno.exit(1);
  }, options.shutdownTimeoutMs);
  await closeAll(options.beforeDrain ?? [], logger);
  await server.shutdown();
  logger.info("HTTP server drained");
  await closeAll(options.closers ?? [], logger);
  // Telemetry goes last so the spans of the steps above are exported too.
  await options.telemetry.shutdown(Math.max(100, options.shutdownTimeoutMs / 2));
  clearTimeout(deadline);
  logger.info("Stopped");
}

async function closeAll(closers: readonly Closer[], logger: Logger): Promise<void> {
  for (const closer of closers) {
    try {
      await closer.close();
      logger.debug("Closed", { dependency: closer.name });
    } catch (error) {
      logger.warn("Closing a dependency failed", { dependency: closer.name, error });
    }
  }
}
