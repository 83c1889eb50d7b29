import assert from "node:assert/strict";
import { type JaegerJsonTag, JaegerProcess } from "./jaeger.ts";

const TRACE_ID = crypto.randomUUID().replaceAll("-", "");
const SPAN_ID = TRACE_ID.slice(0, 16);

function tag(tags: readonly JaegerJsonTag[], key: string): unknown {
  return tags.find((entry) => entry.key === key)?.value;
}

Deno.test("JaegerProcess takes a span over OTLP/HTTP and answers it on /api/traces/{id}", async () => {
  const jaeger = await JaegerProcess.start();
  try {
    const startNs = BigInt(Date.now()) * 1_000_000n;
    const response = await fetch(`${jaeger.otlpEndpoint}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        resourceSpans: [{
          resource: { attributes: [{ key: "service.name", value: { stringValue: "probe" } }] },
          scopeSpans: [{
            scope: { name: "jaeger-test" },
            spans: [{
              traceId: TRACE_ID,
              spanId: SPAN_ID,
              name: "GET /probe",
              kind: 2,
              startTimeUnixNano: String(startNs),
              endTimeUnixNano: String(startNs + 2_500_000n),
              attributes: [{ key: "http.response.status_code", value: { intValue: "503" } }],
              events: [{ name: "retry", timeUnixNano: String(startNs + 1_000_000n) }],
              status: { code: 2, message: "upstream down" },
            }],
          }],
        }],
      }),
    });
    assert.equal(response.status, 200, await response.text());

    const trace = await jaeger.waitForTrace(TRACE_ID, { minSpans: 1 });
    const span = trace.spans[0]!;
    assert.equal(span.spanID, SPAN_ID);
    assert.equal(span.operationName, "GET /probe");
    assert.equal(span.startTime, Number(startNs / 1000n));
    assert.equal(span.duration, 2500);
    assert.equal(tag(span.tags, "span.kind"), "server");
    assert.equal(tag(span.tags, "http.response.status_code"), 503);
    assert.equal(tag(span.tags, "error"), true);
    assert.equal(tag(span.tags, "otel.status_description"), "upstream down");
    assert.equal(tag(span.logs[0]?.fields ?? [], "event"), "retry");
    assert.equal(trace.processes[span.processID]?.serviceName, "probe");

    const services = await jaeger.get("/api/services");
    assert.deepEqual((services.body as { data: string[] }).data, ["probe"]);
  } finally {
    assert.equal(await jaeger.close(), 0, `Jaeger's exit code on SIGTERM:\n${jaeger.output()}`);
  }
});
