import assert from "node:assert/strict";
import { waitFor } from "../testing/wait.ts";
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import { SamplingDecision, type SpanExporter } from "@opentelemetry/sdk-trace";
import { createLogger } from "../log.ts";
import { createSampler, resourceAttributes, startTelemetry } from "./setup.ts";
import { createEnvReader } from "../config/env_reader.ts";
import { readTelemetryConfig, type SamplerName } from "./config.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

function decide(
  sampler: SamplerName,
  options: { arg?: number; parent?: "sampled" | "unsampled" } = {},
): SamplingDecision {
  const context = options.parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(
    ROOT_CONTEXT,
    {
      traceId: TRACE_ID,
      spanId: "00f067aa0ba902b7",
      traceFlags: options.parent === "sampled" ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    },
  );
  return createSampler({ sampler, samplerArg: options.arg ?? 1 })
    .shouldSample(context, TRACE_ID, "span", SpanKind.SERVER, {}, []).decision;
}

const SAMPLED = SamplingDecision.RECORD_AND_SAMPLED;
const DROPPED = SamplingDecision.NOT_RECORD;

Deno.test("createSampler() builds every sampler of OTEL_TRACES_SAMPLER", async (t) => {
  await t.step("always_on samples a root and ignores an unsampled parent", () => {
    assert.equal(decide("always_on"), SAMPLED);
    assert.equal(decide("always_on", { parent: "unsampled" }), SAMPLED);
  });
  await t.step("always_off drops a root and ignores a sampled parent", () => {
    assert.equal(decide("always_off"), DROPPED);
    assert.equal(decide("always_off", { parent: "sampled" }), DROPPED);
  });
  await t.step("traceidratio with 0 drops and with 1 samples", () => {
    assert.equal(decide("traceidratio", { arg: 0 }), DROPPED);
    assert.equal(decide("traceidratio", { arg: 1 }), SAMPLED);
  });
  await t.step("traceidratio ignores the parent's decision", () => {
    assert.equal(decide("traceidratio", { arg: 0, parent: "sampled" }), DROPPED);
  });
  await t.step("parentbased_always_on samples a root and follows the parent", () => {
    assert.equal(decide("parentbased_always_on"), SAMPLED);
    assert.equal(decide("parentbased_always_on", { parent: "sampled" }), SAMPLED);
    assert.equal(decide("parentbased_always_on", { parent: "unsampled" }), DROPPED);
  });
  await t.step("parentbased_always_off drops a root but follows a sampled parent", () => {
    assert.equal(decide("parentbased_always_off"), DROPPED);
    assert.equal(decide("parentbased_always_off", { parent: "sampled" }), SAMPLED);
  });
  await t.step("parentbased_traceidratio uses the ratio for roots only", () => {
    assert.equal(decide("parentbased_traceidratio", { arg: 0 }), DROPPED);
    assert.equal(decide("parentbased_traceidratio", { arg: 0, parent: "sampled" }), SAMPLED);
    assert.equal(decide("parentbased_traceidratio", { arg: 1 }), SAMPLED);
  });
});

Deno.test("resourceAttributes() carries service and host identity", async (t) => {
  const read = (env: Record<string, string>) =>
    readTelemetryConfig(createEnvReader(env), { serviceName: "svc", serviceVersion: "9.9.9" });
  await t.step("fills in version, instance id and host name", () => {
    const attributes = resourceAttributes(read({ OTEL_RESOURCE_ATTRIBUTES: "team=a" }));
    assert.equal(attributes["service.name"], "svc");
    assert.equal(attributes["service.version"], "9.9.9");
    assert.equal(attributes["team"], "a");
    assert.match(attributes["service.instance.id"] ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(attributes["host.name"], Deno.hostname());
  });
  await t.step("keeps values set in OTEL_RESOURCE_ATTRIBUTES", () => {
    const attributes = resourceAttributes(read({
      OTEL_SERVICE_NAME: "named",
      OTEL_RESOURCE_ATTRIBUTES:
        "service.name=ignored,service.version=2,service.instance.id=i-1,host.name=h",
    }));
    assert.equal(attributes["service.name"], "named");
    assert.equal(attributes["service.version"], "2");
    assert.equal(attributes["service.instance.id"], "i-1");
    assert.equal(attributes["host.name"], "h");
  });
});

Deno.test("startTelemetry() with OTEL_SDK_DISABLED records nothing and says so", async () => {
  const lines: string[] = [];
  const logger = createLogger({ service: "svc", write: (line) => lines.push(line) });
  const config = readTelemetryConfig(createEnvReader({ OTEL_SDK_DISABLED: "true" }), {
    serviceName: "svc",
    serviceVersion: "1",
  });
  const telemetry = startTelemetry(config, { logger });
  assert.equal(telemetry.mode, "disabled");
  assert.equal(telemetry.stats(), undefined);
  const span = telemetry.tracer.startSpan("x");
  assert.equal(span.isRecording(), false);
  span.end();
  await telemetry.shutdown();
  assert.ok(
    lines.some((line) => JSON.parse(line).msg.includes("Telemetry disabled")),
    lines.join(),
  );
});

Deno.test("startTelemetry() stops recording new traces while exports fail, and counts them", async () => {
  const lines: string[] = [];
  const logger = createLogger({ service: "svc", write: (line) => lines.push(line) });
  const config = readTelemetryConfig(
    createEnvReader({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "2", OTEL_BSP_SCHEDULE_DELAY: "10" }),
    { serviceName: "svc", serviceVersion: "1" },
  );
  const exporter: SpanExporter = {
    export: (_spans, done) => done({ code: ExportResultCode.FAILED, error: new Error("down") }),
    shutdown: () => Promise.resolve(),
  };
  const telemetry = startTelemetry(config, { logger, exporter });
  try {
    assert.equal(telemetry.mode, "sdk");
    for (let i = 0; i < 2; i++) telemetry.tracer.startSpan(`before ${i}`).end();
    await waitFor("the failed export to be counted", () => telemetry.stats()?.exportFailed !== 0);
    assert.equal(telemetry.stats()?.exportFailed, 2);

    const shed = telemetry.tracer.startSpan("during the outage");
    assert.equal(shed.isRecording(), false);
    assert.equal(trace.isSpanContextValid(shed.spanContext()), true, "context still propagates");
    shed.end();
    assert.equal(telemetry.stats()?.shed, 1);
    assert.ok(lines.some((line) => JSON.parse(line).msg.startsWith("Span export failing")));
  } finally {
    await telemetry.shutdown(1000);
  }
});

Deno.test("startTelemetry() by default encodes spans as they end and posts them as OTLP protobuf", async () => {
  const bodies: Uint8Array[] = [];
  const receiver = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (req) => {
      bodies.push(new Uint8Array(await req.arrayBuffer()));
      return new Response(new Uint8Array(0), {
        headers: { "content-type": "application/x-protobuf" },
      });
    },
  );
  const config = readTelemetryConfig(
    createEnvReader({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.addr.port}`,
      OTEL_LOGS_EXPORTER: "none",
      SPAN_QUEUE_MAX_BYTES: "65536",
    }),
    { serviceName: "svc", serviceVersion: "1" },
  );
  const logger = createLogger({ service: "svc", level: "error", write: () => {} });
  // An earlier test's provider still holds the global API.
  trace.disable();
  const telemetry = startTelemetry(config, { logger });
  try {
    const span = telemetry.tracer.startSpan("GET /x", { kind: SpanKind.SERVER });
    span.setAttribute("http.route", "/x");
    span.end();
    const stats = telemetry.stats()!;
    assert.equal(stats.queued, 1);
    assert.ok(stats.queuedBytes! > 0 && stats.queuedBytes! < 1000, `${stats.queuedBytes} bytes`);
    assert.equal(stats.queueBytesCapacity, 65536);
    await telemetry.forceFlush();
    assert.equal(bodies.length, 1);
    assert.deepEqual({ ...telemetry.stats(), queuedBytes: 0 }, {
      ...stats,
      queued: 0,
      queuedBytes: 0,
      exported: 1,
    });
    const text = new TextDecoder().decode(bodies[0]);
    assert.ok(text.includes("GET /x") && text.includes("http.route") && text.includes("svc"));
  } finally {
    await telemetry.shutdown(1000);
    await receiver.shutdown();
  }
});
