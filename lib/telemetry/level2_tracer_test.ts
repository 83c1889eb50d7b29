import assert from "node:assert/strict";
import { context, ROOT_CONTEXT, SpanKind, trace, type Tracer } from "@opentelemetry/api";
import {
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace";
import { suppressTracing } from "@opentelemetry/core";
import { createTestTelemetry } from "../testing/telemetry.ts";
import { ExportGate } from "./export_gate.ts";
import { injectContext } from "./propagation.ts";
import { ShedSpan } from "./shed_span.ts";

const TRACE_ID = "12345678901234567890123456789012";
const CALLER_SPAN = "1234567890123456";

function remote(flags: number) {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: CALLER_SPAN,
    traceFlags: flags,
    isRemote: true,
  });
}

/** A gate that sheds until the test opens it: shut as after a queue overflow. */
function shutGate(): ExportGate {
  const gate = new ExportGate();
  gate.onQueueFull();
  return gate;
}

/**
 * What a service sends on for one incoming request: a SERVER span under `parent`, then a CLIENT
 * span under it whose context is injected, as the middleware and the traced fetch do.
 */
function outgoing(tracer: Tracer, parent = ROOT_CONTEXT): string {
  const server = tracer.startSpan("GET /x", { kind: SpanKind.SERVER }, parent);
  const inServer = trace.setSpan(parent, server);
  const client = tracer.startSpan("GET", { kind: SpanKind.CLIENT }, inServer);
  const carrier: Record<string, string> = {};
  injectContext(carrier, trace.setSpan(inServer, client));
  client.end();
  server.end();
  return carrier.traceparent!;
}

const flagsOf = (traceparent: string) => traceparent.slice(-2);

Deno.test("Level2Tracer sets the random flag on a trace it starts, and exports it", () => {
  const { telemetry, exporter } = createTestTelemetry();
  const sent = outgoing(telemetry.tracer);
  assert.equal(flagsOf(sent), "03");
  const spans = exporter.getFinishedSpans();
  assert.equal(spans.length, 2);
  for (const span of spans) assert.equal(span.spanContext().traceFlags, 0x03, span.name);
});

Deno.test("Level2Tracer keeps the caller's random flag, set or not", async (t) => {
  const { telemetry, exporter } = createTestTelemetry();
  for (const [flags, out] of [[0x00, "00"], [0x01, "01"], [0x02, "02"], [0x03, "03"]] as const) {
    await t.step(`-0${flags} in, -${out} out`, () => {
      const sent = outgoing(telemetry.tracer, remote(flags));
      assert.equal(sent.slice(3, 35), TRACE_ID);
      assert.equal(flagsOf(sent), out);
    });
  }
  const recorded = exporter.getFinishedSpans().map((span) => span.spanContext().traceFlags);
  assert.deepEqual(recorded, [0x01, 0x01, 0x03, 0x03], "only sampled requests were recorded");
});

Deno.test("Level2Tracer gives every span under a non-recording parent its own id", () => {
  const { telemetry, exporter } = createTestTelemetry();
  const parent = remote(0x00);
  const server = telemetry.tracer.startSpan("GET /x", { kind: SpanKind.SERVER }, parent);
  assert.equal(server.isRecording(), false);
  const ids = new Set([CALLER_SPAN, server.spanContext().spanId]);
  for (let i = 0; i < 3; i++) {
    const client = telemetry.tracer.startSpan("GET", {}, trace.setSpan(parent, server));
    assert.equal(client.isRecording(), false);
    assert.equal(client.spanContext().traceId, TRACE_ID);
    ids.add(client.spanContext().spanId);
  }
  assert.equal(ids.size, 5);
  assert.deepEqual(exporter.getFinishedSpans(), []);
});

Deno.test("Level2Tracer records a new trace at 10% on the very trace id it sampled", () => {
  const ratio = new TraceIdRatioBasedSampler(0.1);
  const { telemetry, exporter } = createTestTelemetry({
    sampler: new ParentBasedSampler({ root: ratio }),
  });
  const expected = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const sent = outgoing(telemetry.tracer);
    const traceId = sent.slice(3, 35);
    const sampled = ratio.shouldSample(ROOT_CONTEXT, traceId).decision === 2;
    assert.equal(flagsOf(sent), sampled ? "03" : "02", traceId);
    if (sampled) expected.add(traceId);
  }
  const recorded = exporter.getFinishedSpans();
  assert.ok(expected.size > 5, `only ${expected.size} of 300 traces sampled`);
  assert.equal(recorded.length, expected.size * 2, "a SERVER and a CLIENT span per sampled trace");
  assert.deepEqual(new Set(recorded.map((span) => span.spanContext().traceId)), expected);
});

Deno.test("the sampled flag sent downstream is the same with the export gate open or shut", async (t) => {
  const samplers: Record<string, () => Sampler> = {
    "parent-based always-on": () => new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    "parent-based 10%": () => new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }),
    "always-on": () => new AlwaysOnSampler(),
  };
  for (const [name, sampler] of Object.entries(samplers)) {
    await t.step(name, () => {
      const up = createTestTelemetry({ sampler: sampler() }).telemetry.tracer;
      const gate = shutGate();
      const down = createTestTelemetry({ sampler: sampler(), gate }).telemetry.tracer;
      for (const flags of [0x00, 0x01, 0x02, 0x03]) {
        assert.equal(
          flagsOf(outgoing(down, remote(flags))),
          flagsOf(outgoing(up, remote(flags))),
          `caller flags ${flags}`,
        );
      }
      if (name !== "parent-based 10%") {
        assert.equal(flagsOf(outgoing(down)), flagsOf(outgoing(up)), "a new trace");
      }
      assert.ok(gate.shed > 0, "the shut gate shed traces");
    });
  }
  await t.step("a new trace at 10%: the flag follows the trace id alone", () => {
    const gate = shutGate();
    const down = createTestTelemetry({
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }),
      gate,
    }).telemetry.tracer;
    const ratio = new TraceIdRatioBasedSampler(0.1);
    let sampled = 0;
    for (let i = 0; i < 200; i++) {
      const sent = outgoing(down);
      const decision = ratio.shouldSample(ROOT_CONTEXT, sent.slice(3, 35)).decision;
      assert.equal(flagsOf(sent), decision === 2 ? "03" : "02");
      if (decision === 2) sampled++;
    }
    assert.equal(gate.shed, sampled, "only traces the sampler would record are shed");
  });
});

Deno.test("while shedding, only a span whose context goes out is recorded, under the caller", () => {
  const gate = shutGate();
  const { telemetry, exporter } = createTestTelemetry({ gate });
  const tracer = telemetry.tracer;
  const parent = remote(0x03);
  const server = tracer.startSpan("GET /x", { kind: SpanKind.SERVER }, parent);
  assert.ok(server instanceof ShedSpan);
  assert.equal(server.isRecording(), false);
  const inServer = trace.setSpan(parent, server);
  const internal = tracer.startSpan("SELECT users", { kind: SpanKind.CLIENT }, inServer);
  internal.setAttribute("db.system.name", "sqlite");
  internal.end();
  const client = tracer.startSpan("GET", {
    kind: SpanKind.CLIENT,
    attributes: { "url.full": "http://user/users/ada" },
  }, inServer);
  const carrier: Record<string, string> = {};
  injectContext(carrier, trace.setSpan(inServer, client));
  assert.equal(client.isRecording(), true, "recorded once its context went out");
  client.setAttribute("http.response.status_code", 200);
  client.end();
  server.end();

  const spans = exporter.getFinishedSpans();
  assert.deepEqual(spans.map((span) => span.name), ["GET"]);
  const bridge = spans[0]!;
  assert.equal(bridge.kind, SpanKind.CLIENT);
  assert.equal(bridge.parentSpanContext?.spanId, CALLER_SPAN, "a child of the caller's span");
  assert.equal(bridge.spanContext().traceId, TRACE_ID);
  assert.equal(bridge.spanContext().traceFlags, 0x03);
  assert.deepEqual(bridge.attributes, {
    "url.full": "http://user/users/ada",
    "http.response.status_code": 200,
  });
  assert.equal(carrier.traceparent, `00-${TRACE_ID}-${bridge.spanContext().spanId}-03`);
  assert.deepEqual({ shed: gate.shed, bridged: gate.bridged }, { shed: 1, bridged: 1 });
});

Deno.test("while exports fail, a shed span records no bridge: nothing could deliver it", () => {
  const gate = new ExportGate({ now: () => 0 });
  gate.onExportResult(false);
  const { telemetry, exporter } = createTestTelemetry({ gate });
  const sent = outgoing(telemetry.tracer, remote(0x03));
  assert.equal(sent.slice(3, 35), TRACE_ID);
  assert.equal(flagsOf(sent), "03", "the sampled flag still goes on");
  assert.deepEqual(exporter.getFinishedSpans(), []);
  assert.deepEqual({ shed: gate.shed, bridged: gate.bridged }, { shed: 1, bridged: 0 });
});

Deno.test("while shedding, a new trace's recorded spans hang from its root's id", () => {
  const gate = shutGate();
  const { telemetry, exporter } = createTestTelemetry({ gate });
  const root = telemetry.tracer.startSpan("POST /messages", { kind: SpanKind.SERVER });
  const rootId = root.spanContext().spanId;
  const sent = context.with(trace.setSpan(ROOT_CONTEXT, root), () => {
    const carrier: Record<string, string> = {};
    const producer = telemetry.tracer.startSpan("send jobs", { kind: SpanKind.PRODUCER });
    injectContext(carrier, trace.setSpan(context.active(), producer));
    producer.end();
    return carrier.traceparent!;
  });
  root.end();
  const [bridge] = exporter.getFinishedSpans();
  assert.equal(bridge?.parentSpanContext?.spanId, rootId);
  assert.equal(bridge?.spanContext().traceId, root.spanContext().traceId);
  assert.equal(sent, `00-${root.spanContext().traceId}-${bridge?.spanContext().spanId}-03`);
});

Deno.test("a trace recorded before the gate shut stays whole", () => {
  const gate = new ExportGate();
  const { telemetry, exporter } = createTestTelemetry({ gate });
  const server = telemetry.tracer.startSpan("GET /x", { kind: SpanKind.SERVER });
  gate.onQueueFull();
  const child = telemetry.tracer.startSpan("GET", {}, trace.setSpan(ROOT_CONTEXT, server));
  assert.equal(child.isRecording(), true);
  child.end();
  server.end();
  assert.equal(exporter.getFinishedSpans().length, 2);
  assert.equal(gate.shed, 0);
});

Deno.test("Level2Tracer records a child of a sampled span that already ended, as the SDK does", () => {
  const { telemetry, exporter } = createTestTelemetry();
  const server = telemetry.tracer.startSpan("GET /x", { kind: SpanKind.SERVER });
  server.end();
  assert.equal(server.isRecording(), false);
  const late = telemetry.tracer.startSpan("background", {}, trace.setSpan(ROOT_CONTEXT, server));
  assert.equal(late.isRecording(), true);
  late.end();
  assert.equal(
    exporter.getFinishedSpans()[1]?.parentSpanContext?.spanId,
    server.spanContext().spanId,
  );
});

Deno.test("Level2Tracer makes no span id in a suppressed context, even under a parent", () => {
  const { telemetry } = createTestTelemetry();
  const parent = suppressTracing(remote(0x00));
  const span = telemetry.tracer.startSpan("export", {}, parent);
  assert.equal(trace.isSpanContextValid(span.spanContext()), false);
});

Deno.test("Level2Tracer.startActiveSpan() runs the function inside the span", () => {
  const { telemetry } = createTestTelemetry();
  const result = telemetry.tracer.startActiveSpan("outer", (span) => {
    assert.equal(trace.getActiveSpan(), span);
    span.end();
    return 42;
  });
  assert.equal(result, 42);
  const parent = remote(0x01);
  telemetry.tracer.startActiveSpan("child", { kind: SpanKind.CONSUMER }, parent, (span) => {
    assert.equal(span.spanContext().traceId, TRACE_ID);
    span.end();
  });
});
