import assert from "node:assert/strict";
import { JaegerErrorSchema, JaegerTraceSchema } from "../testing/jaeger_ui_contract.ts";
import { createTestService, sampleTraceJson } from "../testing/test_deps.ts";

const TRACE_ID = "5b8efff798038103d269b633813fc60c";

Deno.test("POST /api/transform turns an uploaded OTLP JSON file into Jaeger's model", async () => {
  const service = createTestService();
  try {
    // Jaeger UI posts the file's text with fetch's default text/plain content-type.
    const response = await service.query.request("/api/transform", {
      method: "POST",
      body: JSON.stringify(sampleTraceJson(TRACE_ID)),
    });
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.errors, null);
    assert.equal(body.data.length, 1);
    const trace = JaegerTraceSchema.parse(body.data[0]);
    assert.equal(trace.traceID, TRACE_ID);
    const [root, child] = trace.spans;
    assert.equal(root?.operationName, "POST /orders");
    assert.equal(trace.processes[root!.processID]?.serviceName, "order");
    assert.deepEqual(child?.references, [{
      refType: "CHILD_OF",
      traceID: TRACE_ID,
      spanID: "eee19b7ec3c1b174",
    }]);
    assert.equal(child?.duration, 10_000);
    assert.ok(child?.tags.some((tag) => tag.key === "error" && tag.value === true));
    assert.equal(child?.logs[0]?.fields[0]?.value, "retry");
    assert.equal(service.store.spanCount(), 0, "an upload is not stored");
  } finally {
    await service.close();
  }
});

Deno.test("POST /api/transform refuses a file that is not valid OTLP JSON", async (t) => {
  const service = createTestService();
  try {
    const broken = sampleTraceJson(TRACE_ID) as {
      resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[];
    };
    broken.resourceSpans[0]!.scopeSpans[0]!.spans[1]!.spanId = "xyz";
    const cases: [name: string, body: string][] = [
      ["not JSON", "{"],
      ["not OTLP", JSON.stringify({ resourceSpans: "none" })],
      ["a span with a bad id", JSON.stringify(broken)],
    ];
    for (const [name, body] of cases) {
      await t.step(name, async () => {
        const response = await service.query.request("/api/transform", { method: "POST", body });
        const error = JaegerErrorSchema.parse(await response.json());
        assert.equal(response.status, 400);
        assert.match(error.errors[0]!.msg, /^Invalid OTLP JSON: /);
      });
    }
  } finally {
    await service.close();
  }
});
