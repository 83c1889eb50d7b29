/**
 * The tracing service as a process on ports chosen up front, so a test can restart it on the
 * same ones and knows both: OTLP ingest and the query API.
 */
import { type ServiceProcess, startServiceProcess } from "../../lib/testing/service_process.ts";

/** A tracing process and its two base URLs. */
export interface TracingOnPorts {
  process: ServiceProcess;
  otlpUrl: string;
  queryUrl: string;
}

/** A loopback port free right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts tracing on `ports` (fresh ones when omitted), without its own telemetry. */
export async function startTracingOnPorts(options: {
  dataDir: string;
  ports?: { query: number; otlp: number };
  env?: Record<string, string>;
}): Promise<TracingOnPorts & { ports: { query: number; otlp: number } }> {
  const ports = options.ports ?? { query: freePort(), otlp: freePort() };
  const process = await startServiceProcess({
    service: "tracing",
    dataDir: options.dataDir,
    env: {
      PORT: String(ports.query),
      OTLP_PORT: String(ports.otlp),
      OTEL_SDK_DISABLED: "true",
      WRITE_FLUSH_MS: "20",
      ...options.env,
    },
    listeners: ["otlp", "http"],
  });
  return {
    process,
    ports,
    otlpUrl: `http://127.0.0.1:${ports.otlp}`,
    queryUrl: `http://127.0.0.1:${ports.query}`,
  };
}
