/** In-memory telemetry for tests: every finished span lands in `exporter` at once. */
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { installGlobals, type Telemetry } from "../telemetry/setup.ts";

/** A test telemetry and the exporter that collects its spans. */
export interface TestTelemetry {
  telemetry: Telemetry;
  exporter: InMemorySpanExporter;
}

/** Creates an isolated `sdk`-mode telemetry; several may exist in one process. */
export function createTestTelemetry(): TestTelemetry {
  installGlobals();
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const telemetry: Telemetry = {
    mode: "sdk",
    tracer: provider.getTracer("test"),
    summary: { mode: "sdk" },
    stats: () => undefined,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
  return { telemetry, exporter };
}
