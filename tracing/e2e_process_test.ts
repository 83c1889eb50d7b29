import { context, SpanKind, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import assert from "node:assert/strict";
import { waitFor } from "../lib/testing/wait.ts";
import { startTracingProcess } from "./testing/service.ts";

Deno.test("the tracing process stores spans sent by the official OTLP protobuf exporter", async () => {
  const tracing = await startTracingProcess();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "e2e-client" }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${tracing.otlpEndpoint}/v1/traces` }),
      }),
    ],
  });
  try {
    const tracer = provider.getTracer("e2e");
    const root = tracer.startSpan("GET /things", { kind: SpanKind.SERVER });
    const child = tracer.startSpan(
      "SELECT things",
      { kind: SpanKind.CLIENT, attributes: { "db.system.name": "sqlite" } },
      trace.setSpan(context.active(), root),
    );
    child.end();
    root.end();
    await provider.forceFlush();
    const traceId = root.spanContext().traceId;
    const found = await tracing.waitForTrace(traceId, { minSpans: 2 });
    const db = found.spans.find((s) => s.operationName === "SELECT things")!;
    assert.deepEqual(db.references, [{
      refType: "CHILD_OF",
      traceID: traceId,
      spanID: root.spanContext().spanId,
    }]);
    assert.equal(found.processes[db.processID]?.serviceName, "e2e-client");
    const own = await tracing.ownTrace(traceId);
    assert.equal(own?.span_count, 2);
  } finally {
    await provider.shutdown();
    await tracing.stop();
  }
});

Deno.test("the tracing process accepts traces, logs and metrics from Deno's built-in exporter", async () => {
  const tracing = await startTracingProcess();
  try {
    const script = new URL("./testdata/deno_otel_script.ts", import.meta.url).pathname;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-env", script],
      env: {
        OTEL_DENO: "true",
        OTEL_SERVICE_NAME: "deno-builtin",
        OTEL_EXPORTER_OTLP_ENDPOINT: tracing.otlpEndpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    const traceId = /"trace":"([0-9a-f]{32})"/.exec(stdout)?.[1];
    assert.ok(traceId, `no trace id in ${stdout}`);
    const found = await tracing.waitForTrace(traceId, { minSpans: 1 });
    assert.equal(found.spans[0]?.operationName, "deno script work");
    assert.equal(found.processes[found.spans[0]!.processID]?.serviceName, "deno-builtin");
    const metrics = await (await fetch(`${tracing.queryUrl}/metrics`)).text();
    assert.match(metrics, /tracing_items_received_total\{signal="logs"\} [1-9]/);
    assert.match(metrics, /tracing_items_received_total\{signal="metrics"\} [1-9]/);
    assert.doesNotMatch(metrics, /tracing_items_rejected_total\{/);
    // Logs arrive in their own request and are written with the next batch: wait for them.
    await waitFor("the built-in exporter's log record in the trace", async () => {
      const own = await tracing.ownTrace(traceId) as { logs: { body: string }[] } | undefined;
      return own?.logs.some((log) => String(log.body).includes("hello from the built-in exporter"));
    });
  } finally {
    await tracing.stop();
  }
});
