/**
 * Serves Hono apps with `Deno.serve`, one or several listeners (tracing's OTLP and query ports),
 * and stops them gracefully on SIGINT/SIGTERM: close what must stop taking work first, let
 * in-flight requests finish while new ones get 503 (drain_gate.ts), stop every listener, close
 * dependencies (in the order given), flush and shut down telemetry, exit 0. A hard deadline exits
 * 1 if any step hangs.
 */
import type { Hono } from "hono";
import type { Logger } from "../log.ts";
import type { Telemetry } from "../telemetry/setup.ts";
import { DrainGate } from "./drain_gate.ts";

/** A dependency to close on shutdown, e.g. a consumer or a database. */
export interface Closer {
  name: string;
  close(): void | Promise<void>;
}

/** One port and the app that answers on it. */
export interface Listener {
  app: Hono;
  port: number;
  /** Named in the "Listening" log line (e.g. `otlp`); the main listener has none. */
  api?: string;
}

/** What `serve` needs. */
export interface ServeOptions {
  hostname: string;
  logger: Logger;
  telemetry: Telemetry;
  shutdownTimeoutMs: number;
  /** Closed after the servers drained, before telemetry shuts down. */
  closers?: readonly Closer[];
  /** Closed before the servers drain, e.g. a consumer that must stop taking work first. */
  beforeDrain?: readonly Closer[];
}

/** Running servers. */
export interface RunningServer {
  /** One per listener, in the order given. */
  readonly servers: readonly Deno.HttpServer<Deno.NetAddr>[];
  /** The port the first listener bound (useful with PORT=0). */
  readonly port: number;
  /** Every bound port by `api` ("http" for a listener without one). */
  readonly ports: Readonly<Record<string, number>>;
  /** Runs the graceful stop once; later calls return the same promise. */
  stop(reason: string): Promise<void>;
}

/** Starts every listener and installs the signal handlers that stop them all gracefully. */
export function serve(listeners: readonly Listener[], options: ServeOptions): RunningServer {
  const { logger } = options;
  const gate = new DrainGate();
  const servers = listeners.map((listener) =>
    Deno.serve({
      hostname: options.hostname,
      port: listener.port,
      onListen: ({ hostname, port }) =>
        logger.info("Listening", {
          hostname,
          port,
          ...(listener.api === undefined ? {} : { api: listener.api }),
        }),
    }, gate.wrap(listener.app.fetch))
  );

  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= shutdown(servers, gate, options, reason);
    return stopping;
  };
  const onSignal = (signal: Deno.Signal) => () => {
    stop(signal).then(() => Deno.exit(0));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, onSignal(signal));
  }
  const ports = Object.fromEntries(
    listeners.map((listener, i) => [listener.api ?? "http", servers[i]!.addr.port]),
  );
  return { servers, port: servers[0]!.addr.port, ports, stop };
}

async function shutdown(
  servers: readonly Deno.HttpServer[],
  gate: DrainGate,
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
  // Requests in flight finish (new ones get 503) before the servers stop: see drain_gate.ts.
  await gate.drain();
  await Promise.all(servers.map((server) => server.shutdown()));
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
