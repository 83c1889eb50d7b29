import assert from "node:assert/strict";
import { createTestService, ingestSample } from "../testing/test_deps.ts";
import { makeCall } from "../testing/span_fixture.ts";

const TRACE_ID = "5b8efff798038103d269b633813fc60c";

Deno.test("the own API (/api/v1) returns, searches and lists stored traces", async (t) => {
  const service = createTestService();
  try {
    await ingestSample(service);

    await t.step(
      "GET /api/v1/traces/:id returns the tree with timings and attributes",
      async () => {
        const res = await service.query.request(`/api/v1/traces/${TRACE_ID}`);
        assert.equal(res.status, 200);
        const trace = await res.json();
        assert.equal(trace.span_count, 2);
        assert.equal(trace.root_operation, "POST /orders");
        assert.equal(trace.duration_ms, 25);
        assert.equal(trace.error_count, 1);
        const [root, child] = trace.spans;
        assert.equal(root.parent_span_id, null);
        assert.equal(child.parent_span_id, root.span_id);
        assert.equal(child.kind, "client");
        assert.equal(child.duration_ms, 10);
        assert.deepEqual(child.status, { code: "error", message: "boom" });
        assert.equal(root.attributes["http.response.status_code"], 201);
        assert.equal(root.resource["host.name"], "box");
      },
    );

    await t.step("GET /api/v1/traces/search filters by service, tags and duration", async () => {
      const own = await (await service.query.request(
        "/api/v1/traces/search?service=order&tags=http.request.method=POST&minDuration=20ms",
      )).json();
      assert.deepEqual(own.traces.map((s: { trace_id: string }) => s.trace_id), [TRACE_ID]);
      const none =
        await (await service.query.request("/api/v1/traces/search?service=order&maxDuration=1ms"))
          .json();
      assert.equal(none.count, 0);
    });

    await t.step("GET /api/v1/services and /operations list what was stored", async () => {
      const services = await (await service.query.request("/api/v1/services")).json();
      assert.deepEqual(services, { services: ["order"] });
      const operations = await (await service.query.request("/api/v1/operations?service=order"))
        .json();
      assert.deepEqual(
        operations.operations.map((op: { name: string; kind: string }) => `${op.kind} ${op.name}`)
          .sort(),
        ["client GET", "server POST /orders"],
      );
    });

    await t.step("an unknown trace is 404 and a malformed id 400", async () => {
      const missing = await service.query.request(
        "/api/v1/traces/0af7651916cd43dd8448eb211c80319c",
      );
      assert.equal(missing.status, 404);
      assert.equal((await missing.json()).error.code, "trace_not_found");
      const bad = await service.query.request("/api/v1/traces/not-a-trace-id");
      assert.equal(bad.status, 400);
      assert.equal((await bad.json()).error.code, "invalid_trace_id");
    });
  } finally {
    await service.close();
  }
});

Deno.test("GET /api/v1/dependencies counts calls between services within end and lookback", async () => {
  const service = createTestService();
  try {
    const endMs = Date.UTC(2026, 0, 1, 12);
    service.store.writeSpans([
      ...makeCall("order", "user", endMs - 30 * 60_000),
      ...makeCall("producer", "consumer", endMs - 3 * 3600_000),
    ]);
    const read = async (query: string) =>
      (await (await service.query.request(`/api/v1/dependencies?${query}`)).json()).dependencies;
    const end = `end=${endMs * 1000}`;
    assert.deepEqual(await read(`${end}&lookback=1h`), [
      { parent: "order", child: "user", call_count: 1 },
    ]);
    assert.deepEqual(await read(`${end}&lookback=4h`), [
      { parent: "order", child: "user", call_count: 1 },
      { parent: "producer", child: "consumer", call_count: 1 },
    ]);
    const bad = await service.query.request("/api/v1/dependencies?lookback=soon");
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "invalid_request");
  } finally {
    await service.close();
  }
});
