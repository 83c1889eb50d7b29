/** In-memory telemetry for tests: every finished span lands in `exporter` at once. */
import { BaggageAttributesProcessor } from "../telemetry/baggage_attributes.ts";
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { ExportGate } from "../telemetry/export_gate.ts";
import { PooledIdGenerator } from "../telemetry/id_generator.ts";
import { Level2Tracer } from "../telemetry/level2_tracer.ts";
import { installGlobals, type Telemetry } from "../telemetry/setup.ts";

/** A test telemetry and the exporter that collects its spans. */
export interface TestTelemetry {
  telemetry: Telemetry;
  exporter: InMemorySpanExporter;
}

/**
 * Creates an isolated `sdk`-mode telemetry; several may exist in one process. Its tracer is the
 * `Level2Tracer` services get; `sampler` defaults to the SDK's parent-based always-on, and a
 * `gate` makes it shed as a service does.
 */
export function createTestTelemetry(
  options: { sampler?: Sampler; gate?: ExportGate } = {},
): TestTelemetry {
  installGlobals();
  const exporter = new InMemorySpanExporter();
  const sampler = options.sampler ?? new ParentBasedSampler({ root: new AlwaysOnSampler() });
  const idGenerator = new PooledIdGenerator();
  const provider = new TracerProvider({
    sampler,
    idGenerator,
    spanProcessors: [new BaggageAttributesProcessor(), new SimpleSpanProcessor({ exporter })],
  });
  const tracer = new Level2Tracer(provider.getTracer("test"), { ...options, sampler, idGenerator });
  const telemetry: Telemetry = {
    mode: "sdk",
    tracer,
    summary: { mode: "sdk" },
    stats: () => undefined,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
  return { telemetry, exporter };
}
