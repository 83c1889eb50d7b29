/**
 * The plain OpenTelemetry SDK set-up a user would write, preloaded into a service
 * (`deno run --preload bench/plain_sdk_preload.ts user/main.ts`) as the benchmark's point of
 * comparison: the official OTLP protobuf exporter and serializer, the default id generator and
 * span limits, the spec's batch defaults, no export gate. It registers the global provider first,
 * so the service's own `startTelemetry` finds it taken and traces through it.
 */
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";

const ratio = Number(Deno.env.get("OTEL_TRACES_SAMPLER_ARG") ?? "1");
const provider = new TracerProvider({
  resource: defaultResource().merge(
    resourceFromAttributes({ "service.name": Deno.env.get("OTEL_SERVICE_NAME") ?? "unknown" }),
  ),
  sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
  // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT itself.
  spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(
  new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  }),
);
trace.setGlobalTracerProvider(provider);
