/**
 * The two trace stores of the interop tests: our tracing service, forwarding every span it
 * receives to a real Jaeger v2 (FORWARD_ENDPOINTS), so one export reaches both and a test checks
 * the same trace in each.
 */
import { JaegerProcess } from "../lib/testing/jaeger.ts";
import { startTracingProcess, type TracingProcess } from "../tracing/testing/service.ts";
import type { TraceSource } from "./_trace_backend.ts";

/** Our tracing service and the Jaeger it forwards to. */
export interface TracingWithJaeger {
  tracing: TracingProcess;
  jaeger: JaegerProcess;
  /** Where services export: the tracing service's OTLP/HTTP base URL. */
  otlpEndpoint: string;
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
    stores: [["our tracing service", tracing], [`Jaeger v${jaeger.release}`, jaeger]],
    stop: async () => {
      await tracing.stop();
      await jaeger.close();
    },
  };
}
