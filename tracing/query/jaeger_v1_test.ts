import assert from "node:assert/strict";
import { createTestService, ingestSample } from "../testing/test_deps.ts";
import { makeCall } from "../testing/span_fixture.ts";

const TRACE_ID = "5b8efff798038103d269b633813fc60c";

Deno.test("Jaeger's v1 API (/api) answers in Jaeger's JSON model and envelope", async (t) => {
  const service = createTestService();
  try {
    await ingestSample(service);

    await t.step("GET /api/traces/:id returns Jaeger's JSON model", async () => {
      const body = await (await service.query.request(`/api/traces/${TRACE_ID}`)).json();
      assert.deepEqual(Object.keys(body), ["data", "total", "limit", "offset", "errors"]);
      assert.equal(body.errors, null);
      const [trace] = body.data;
      assert.equal(trace.traceID, TRACE_ID);
      assert.deepEqual(trace.processes.p1, {
        serviceName: "order",
        tags: [{ key: "host.name", type: "string", value: "box" }],
      });
      const child = trace.spans.find((s: { spanID: string }) => s.spanID === "eee19b7ec3c1b175");
      assert.deepEqual(child.references, [{
        refType: "CHILD_OF",
        traceID: TRACE_ID,
        spanID: "eee19b7ec3c1b174",
      }]);
      assert.equal(child.startTime, 1_700_000_000_002_000);
      assert.equal(child.duration, 10_000);
      assert.equal(child.processID, "p1");
      const tags = Object.fromEntries(
        child.tags.map((tag: { key: string; value: unknown }) => [tag.key, tag.value]),
      );
      assert.equal(tags["span.kind"], "client");
      assert.equal(tags.error, true);
      assert.equal(tags["otel.status_code"], "ERROR");
      assert.equal(tags["otel.status_description"], "boom");
      assert.equal(tags["otel.scope.name"], "distributed-tracing");
      assert.deepEqual(child.logs, [{
        timestamp: 1_700_000_000_003_000,
        fields: [{ key: "event", type: "string", value: "retry" }, {
          key: "attempt",
          type: "int64",
          value: 2,
        }],
      }]);
    });

    await t.step("GET /api/traces searches by service, operation and JSON tags", async () => {
      const v1 = await (await service.query.request(
        `/api/traces?service=order&operation=GET&tags=${encodeURIComponent('{"error":"true"}')}`,
      )).json();
      assert.equal(v1.data.length, 1);
      const byId = await (await service.query.request(`/api/traces?traceID=${TRACE_ID}`)).json();
      assert.equal(byId.data[0].traceID, TRACE_ID);
    });

    await t.step("services and operations list what was stored", async () => {
      assert.deepEqual((await (await service.query.request("/api/services")).json()).data, [
        "order",
      ]);
      const ops =
        await (await service.query.request("/api/operations?service=order&spanKind=server")).json();
      assert.deepEqual(ops.data, [{ name: "POST /orders", spanKind: "server" }]);
      const names = await (await service.query.request("/api/services/order/operations")).json();
      assert.deepEqual(names.data, ["GET", "POST /orders"]);
    });

    await t.step("an unknown trace is 404 in Jaeger's error envelope", async () => {
      const v1 = await service.query.request("/api/traces/0af7651916cd43dd8448eb211c80319c");
      assert.equal(v1.status, 404);
      assert.deepEqual((await v1.json()).errors, [{ code: 404, msg: "trace not found" }]);
    });
  } finally {
    await service.close();
  }
});

Deno.test("GET /api/dependencies reads endTs and lookback in milliseconds, as Jaeger UI sends them", async (t) => {
  const service = createTestService();
  try {
    const endTs = Date.UTC(2026, 0, 1, 12);
    service.store.writeSpans([
      ...makeCall("order", "user", endTs - 30 * 60_000),
      ...makeCall("order", "user", endTs - 20 * 60_000),
      ...makeCall("producer", "consumer", endTs - 3 * 3600_000),
    ]);
    const read = async (query: string) => {
      const response = await service.query.request(`/api/dependencies?${query}`);
      return { status: response.status, body: await response.json() };
    };
    await t.step("endTs and a lookback of one hour keep the recent edge", async () => {
      const { body } = await read(`endTs=${endTs}&lookback=3600000`);
      assert.deepEqual(body.data, [{ parent: "order", child: "user", callCount: 2 }]);
      assert.equal(body.total, 0, "jaeger-query counts only listings");
      assert.equal(body.errors, null);
    });
    await t.step("an earlier endTs moves the window back", async () => {
      const { body } = await read(`endTs=${endTs - 2 * 3600_000}&lookback=7200000`);
      assert.deepEqual(body.data, [{ parent: "producer", child: "consumer", callCount: 1 }]);
    });
    await t.step("lookback also takes a duration such as 4h", async () => {
      const { body } = await read(`endTs=${endTs}&lookback=4h`);
      assert.equal(body.data.length, 2);
    });
    await t.step("the default lookback is 24 hours", async () => {
      const { body } = await read(`endTs=${endTs + 20 * 3600_000}`);
      assert.equal(body.data.length, 2);
      const { body: later } = await read(`endTs=${endTs + 22 * 3600_000}`);
      assert.equal(later.data.length, 1);
    });
    await t.step("a bad endTs is 400 in Jaeger's error envelope", async () => {
      const { status, body } = await read("endTs=yesterday");
      assert.equal(status, 400);
      assert.equal(body.data, null);
      assert.equal(body.errors[0].code, 400);
      assert.match(body.errors[0].msg, /Invalid endTs "yesterday"/);
    });
  } finally {
    await service.close();
  }
});

Deno.test("a Jaeger v1 answer of 500 logs its cause", async () => {
  const lines: Record<string, unknown>[] = [];
  const service = createTestService({ onErrorLine: (line) => lines.push(JSON.parse(line)) });
  try {
    // A real failure: the store's database is closed under the query.
    service.store.close();
    const response = await service.query.request("/api/traces?service=any");
    assert.equal(response.status, 500);
    assert.equal((await response.json()).errors[0].msg, "Internal server error");
    const logged = lines.find((line) => line.msg === "Unhandled error");
    assert.ok(logged !== undefined, JSON.stringify(lines));
    assert.equal(logged.path, "/api/traces");
    assert.match(
      (logged.error as { message: string }).message,
      /statement has been finalized|database is not open/,
    );
    assert.equal(lines.filter((line) => line.msg === "Unhandled error").length, 1);
  } finally {
    await service.close().catch(() => {});
  }
});
