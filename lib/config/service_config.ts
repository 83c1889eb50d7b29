/** Settings every service shares, under the same variable names everywhere. */
import type { EnvReader } from "./env_reader.ts";
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "../log.ts";
import { readTelemetryConfig, type TelemetryConfig } from "../telemetry/config.ts";
import { VERSION } from "../version.ts";

/** The part of every service's config that lib/ reads. */
export interface ServiceConfig {
  /** Default service name; OTEL_SERVICE_NAME may rename what telemetry reports. */
  readonly service: string;
  /** HOST: the address the HTTP server binds. */
  readonly hostname: string;
  /** PORT: the HTTP port. */
  readonly port: number;
  /** DATA_DIR: where SQLite files live. */
  readonly dataDir: string;
  /** LOG_LEVEL. */
  readonly logLevel: LogLevel;
  /** LOG_FORMAT: JSON lines, or short lines for a person (`deno task dev` sets `pretty`). */
  readonly logFormat: LogFormat;
  /** MAX_BODY_BYTES: larger request bodies get 413. */
  readonly maxBodyBytes: number;
  /** SHUTDOWN_TIMEOUT_MS: the hard deadline for a graceful stop. */
  readonly shutdownTimeoutMs: number;
  readonly telemetry: TelemetryConfig;
}

/** Reads the shared settings; `defaults` gives the per-service name and port. */
export function readServiceConfig(
  read: EnvReader,
  defaults: { service: string; port: number },
): ServiceConfig {
  return {
    service: defaults.service,
    hostname: read.string("HOST", "0.0.0.0"),
    port: read.port("PORT", defaults.port),
    dataDir: read.string("DATA_DIR", "./data"),
    logLevel: read.oneOf("LOG_LEVEL", LOG_LEVELS, "info"),
    logFormat: read.oneOf("LOG_FORMAT", LOG_FORMATS, "json"),
    maxBodyBytes: read.int("MAX_BODY_BYTES", 64 * 1024, { min: 1, max: 64 * 1024 * 1024 }),
    shutdownTimeoutMs: read.int("SHUTDOWN_TIMEOUT_MS", 10_000, { min: 100, max: 600_000 }),
    telemetry: readTelemetryConfig(read, {
      serviceName: defaults.service,
      serviceVersion: VERSION,
    }),
  };
}
