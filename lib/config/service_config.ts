/** Settings every service shares, under the same variable names everywhere. */
import type { EnvReader } from "./env_reader.ts";
import { bool, int, oneOf, port, text } from "./parsers.ts";
import { type Declared, declareVariables, type VariableGroup } from "./variables.ts";
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "../log.ts";
import {
  readTelemetryConfig,
  type TelemetryConfig,
  telemetryVariables,
} from "../telemetry/config.ts";
import { VERSION } from "../version.ts";

/** The variables every service reads, declared by `sharedVariables`. */
export type SharedVariables = Declared<ReturnType<typeof sharedInits>>;

/** The variables every service reads; PORT's default is the service's own port. */
export function sharedVariables(defaultPort: number): SharedVariables {
  return declareVariables("Shared by every service", sharedInits(defaultPort));
}

function sharedInits(defaultPort: number) {
  return {
    PORT: {
      parse: port(),
      default: String(defaultPort),
      meaning: "HTTP port; `0` picks a free one",
    },
    HOST: { parse: text(), default: "0.0.0.0", meaning: "address to bind" },
    DATA_DIR: { parse: text(), default: "./data", meaning: "where SQLite files live" },
    LOG_LEVEL: {
      parse: oneOf(LOG_LEVELS),
      default: "info",
      meaning: "`debug`, `info`, `warn`, `error`",
    },
    LOG_FORMAT: {
      parse: oneOf(LOG_FORMATS),
      default: "json",
      meaning: "`json` lines, or `pretty` short coloured lines for a person (`deno task dev`)",
    },
    LOG_SYNC: {
      parse: bool(),
      default: "false",
      meaning:
        "`true` writes each line at once through the console (debugging); else stdout lines go out in ~16 KiB writes at most 100 ms late",
    },
    LOG_MAX_UNWRITTEN_BYTES: {
      parse: int({ min: 16 * 1024, max: 1024 * 1024 * 1024 }),
      default: String(1024 * 1024),
      meaning:
        "past this many bytes of log lines waiting for a blocked stdout, lines are dropped and counted",
    },
    MAX_BODY_BYTES: {
      parse: int({ min: 1, max: 64 * 1024 * 1024 }),
      default: "65536",
      meaning: "larger request bodies get 413",
    },
    SHUTDOWN_TIMEOUT_MS: {
      parse: int({ min: 100, max: 600_000 }),
      default: "10000",
      meaning: "hard deadline for a graceful stop",
    },
  };
}

/** What `--help`, `--healthcheck`, the README and the start-up log know about a service. */
export interface ServiceSpec {
  /** Service name, as in `OTEL_SERVICE_NAME` and the binary's file name. */
  readonly service: string;
  readonly summary: string;
  /** Default PORT, also used by `--healthcheck`. */
  readonly port: number;
  /** Whether the service keeps files in DATA_DIR (and so needs write access there). */
  readonly dataDir: boolean;
  /** Every variable it reads: the shared and OpenTelemetry groups first, then its own. */
  readonly groups: readonly VariableGroup[];
}

/** A service's spec: the shared and OpenTelemetry variables, then `own` groups. */
export function serviceSpec(options: {
  service: string;
  summary: string;
  port: number;
  dataDir: boolean;
  own?: readonly VariableGroup[];
}): ServiceSpec {
  return Object.freeze({
    service: options.service,
    summary: options.summary,
    port: options.port,
    dataDir: options.dataDir,
    groups: Object.freeze([
      sharedVariables(options.port).group,
      telemetryVariables(options.service).group,
      ...(options.own ?? []),
    ]),
  });
}

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
  /** LOG_SYNC: each line written at once through the console instead of buffered. */
  readonly logSync: boolean;
  /** LOG_MAX_UNWRITTEN_BYTES: the buffered output's cap before lines are dropped. */
  readonly logMaxUnwrittenBytes: number;
  /** MAX_BODY_BYTES: larger request bodies get 413. */
  readonly maxBodyBytes: number;
  /** SHUTDOWN_TIMEOUT_MS: the hard deadline for a graceful stop. */
  readonly shutdownTimeoutMs: number;
  readonly telemetry: TelemetryConfig;
}

/** Reads the shared settings; `spec` gives the service's name and default port. */
export function readServiceConfig(
  read: EnvReader,
  spec: { service: string; port: number },
): ServiceConfig {
  const shared = sharedVariables(spec.port);
  return {
    service: spec.service,
    hostname: read.value(shared.HOST),
    port: read.value(shared.PORT),
    dataDir: read.value(shared.DATA_DIR),
    logLevel: read.value(shared.LOG_LEVEL),
    logFormat: read.value(shared.LOG_FORMAT),
    logSync: read.value(shared.LOG_SYNC),
    logMaxUnwrittenBytes: read.value(shared.LOG_MAX_UNWRITTEN_BYTES),
    maxBodyBytes: read.value(shared.MAX_BODY_BYTES),
    shutdownTimeoutMs: read.value(shared.SHUTDOWN_TIMEOUT_MS),
    telemetry: readTelemetryConfig(read, {
      serviceName: spec.service,
      serviceVersion: VERSION,
    }),
  };
}
