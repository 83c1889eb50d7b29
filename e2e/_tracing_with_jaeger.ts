/**
 * The two trace stores of the interop tests: our tracing service, forwarding every span it
 * receives to a real Jaeger v2 (FORWARD_ENDPOINTS), so one export reaches both and a test checks
 * the same trace in each.
 */
import { JaegerProcess } from "../lib/testing/jaeger.ts";
import { startTracingProcess, type TracingProcess } from "../tracing/testing/service.ts";
import type { TraceSource } from "./_trace_backend.ts";

/** Our services' telemetry: our SDK set-up, or Deno's built-in (`OTEL_DENO=true`). */
export type TelemetryMode = "sdk" | "deno";

/** Our tracing service and the Jaeger it forwards to. */
export interface TracingWithJaeger {
  tracing: TracingProcess;
  jaeger: JaegerProcess;
  /** Where services export: the tracing service's OTLP/HTTP base URL. */
  otlpEndpoint: string;
  /** The env every process exports with (OTLP/protobuf); `deno` selects Deno's built-in mode. */
  exportEnv(mode?: TelemetryMode): Record<string, string>;
  /** Both stores by name, to check a trace in each. */
  stores: readonly (readonly [string, TraceSource])[];
  /** Stops both. */
  stop(): Promise<void>;
}

/** Starts Jaeger (in memory, free ports), then the tracing service forwarding to it. */
export async function startTracingWithJaeger(): Promise<TracingWithJaeger> {
  const jaeger = await JaegerProcess.start();
  let tracing: TracingProcess;
  try {
    tracing = await startTracingProcess({ env: { FORWARD_ENDPOINTS: jaeger.otlpEndpoint } });
  } catch (error) {
    await jaeger.close();
    throw error;
  }
  return {
    tracing,
    jaeger,
    otlpEndpoint: tracing.otlpEndpoint,
    exportEnv: (mode = "sdk") => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: tracing.otlpEndpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_BSP_SCHEDULE_DELAY: "200",
      ...(mode === "deno" ? { OTEL_DENO: "true" } : {}),
    }),
    stores: [["our tracing service", tracing], [`Jaeger v${jaeger.release}`, jaeger]],
    stop: async () => {
      await tracing.stop();
      await jaeger.close();
    },
  };
}
