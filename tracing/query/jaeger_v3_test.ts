import assert from "node:assert/strict";
import { createTestService, ingestSample } from "../testing/test_deps.ts";

const TRACE_ID = "5b8efff798038103d269b633813fc60c";

Deno.test("Jaeger's v3 API (/api/v3) answers OTLP JSON under result", async (t) => {
  const service = createTestService();
  try {
    await ingestSample(service);

    await t.step("GET /api/v3/traces/:id returns the trace as OTLP JSON", async () => {
      const body = await (await service.query.request(`/api/v3/traces/${TRACE_ID}`)).json();
      const [rs] = body.result.resourceSpans;
      assert.equal(rs.resource.attributes[0].value.stringValue, "order");
      const spans = rs.scopeSpans[0].spans;
      assert.equal(spans.length, 2);
      assert.equal(spans[1].parentSpanId, "eee19b7ec3c1b174");
      assert.equal(spans[1].startTimeUnixNano, "1700000000002000000");
      assert.equal(rs.scopeSpans[0].scope.name, "distributed-tracing");
    });

    await t.step("GET /api/v3/traces searches with query.* parameters", async () => {
      const v3 = await (await service.query.request(
        "/api/v3/traces?query.service_name=order&query.duration_min=5ms",
      )).json();
      assert.equal(v3.result.resourceSpans[0].scopeSpans[0].spans.length, 2);
    });

    await t.step("GET /api/v3/services and /operations list what was stored", async () => {
      const services = await (await service.query.request("/api/v3/services")).json();
      assert.deepEqual(services, { services: ["order"] });
      const v3 = await (await service.query.request("/api/v3/operations?service=order")).json();
      assert.equal(v3.operations.length, 2);
    });

    await t.step("an unknown trace is 404 in the v3 error shape", async () => {
      const v3 = await service.query.request("/api/v3/traces/0af7651916cd43dd8448eb211c80319c");
      assert.equal(v3.status, 404);
      assert.equal((await v3.json()).error.httpCode, 404);
    });
  } finally {
    await service.close();
  }
});
