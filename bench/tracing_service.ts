/** Starts the tracing service as a benchmark process: OTLP ingest and query API on free ports. */
import { servicePermissions } from "../lib/testing/service_process.ts";
import { type BenchProcess, type Cores, freePort, startProcess } from "./process.ts";

/** A running tracing service. */
export interface TracingService {
  process: BenchProcess;
  /** OTLP/HTTP base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  otlpEndpoint: string;
  /** Query API base URL. */
  queryUrl: string;
}

/** Starts `tracing/main.ts` on `core`, keeping everything it is sent (no retention). */
export async function startTracingService(options: {
  dataDir: string;
  cores: Cores;
  core: number;
  /** Extra `deno run` flags (`--cpu-prof`). */
  flags?: readonly string[];
}): Promise<TracingService> {
  const otlpPort = freePort();
  const process = await startProcess({
    name: "tracing",
    script: "tracing/main.ts",
    flags: [...servicePermissions(options.dataDir), ...(options.flags ?? [])],
    env: {
      DATA_DIR: options.dataDir,
      OTLP_PORT: String(otlpPort),
      OTEL_SDK_DISABLED: "true",
      OTEL_SERVICE_NAME: "tracing",
      RETENTION_MAX_MB: "1000000",
      RETENTION_MAX_AGE_HOURS: "1000",
      RETENTION_INTERVAL_MS: "3600000",
    },
    port: freePort(),
    cores: options.cores,
    core: options.core,
  });
  return { process, otlpEndpoint: `http://127.0.0.1:${otlpPort}`, queryUrl: process.url };
}
