import assert from "node:assert/strict";
import { makeSpan } from "../testing/span_fixture.ts";
import { TraceSummariesResponseSchema, V3ErrorSchema } from "../testing/jaeger_ui_contract.ts";
import { createTestService, ingestSample, type TestService } from "../testing/test_deps.ts";

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const iso = (ms: number) => new Date(ms).toISOString();
const ids = { a: "a".repeat(32), b: "b".repeat(32), c: "c".repeat(32) };

/** Three traces: order→user with a user error, an order alone, a user trace with an orphan. */
function seed(service: TestService): void {
  const span = (traceId: string, id: string, over: Parameters<typeof makeSpan>[0]) =>
    makeSpan({ traceId, spanId: id.repeat(16), ...over });
  service.store.writeSpans([
    span(ids.a, "1", { service: "order", name: "POST /orders", startMs: T0, durationMs: 30 }),
    span(ids.a, "2", {
      service: "user",
      name: "GET /users/:id",
      parentSpanId: "1".repeat(16),
      startMs: T0 + 5,
      durationMs: 10,
      status: { code: 2, message: "boom" },
      attributes: [{ key: "http.response.status_code", value: { intValue: "500" } }],
    }),
    span(ids.b, "3", { service: "order", name: "GET /orders", startMs: T0 + 1000, durationMs: 5 }),
    span(ids.c, "4", { service: "user", name: "GET /users", startMs: T0 + 2000, durationMs: 50 }),
    span(ids.c, "5", {
      service: "user",
      name: "SELECT users",
      kind: 3,
      parentSpanId: "9".repeat(16),
      startMs: T0 + 2010,
      durationMs: 2,
    }),
  ]);
}

async function summaries(service: TestService, params: Record<string, string>) {
  const response = await service.query.request(
    `/api/v3/trace-summaries?${new URLSearchParams(params)}`,
  );
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  return TraceSummariesResponseSchema.parse(body).summaries;
}

async function badRequest(service: TestService, path: string): Promise<string> {
  const response = await service.query.request(path);
  const body = V3ErrorSchema.parse(await response.json());
  assert.equal(response.status, 400);
  assert.equal(body.error.httpCode, 400);
  return body.error.message;
}

const window = { "query.startTimeMin": iso(T0 - 60_000), "query.startTimeMax": iso(T0 + 60_000) };

Deno.test("GET /api/v3/trace-summaries answers in api_v3's FindTraceSummaries shape", async () => {
  const service = createTestService();
  try {
    seed(service);
    const found = await summaries(service, { ...window, "query.serviceName": "order" });
    assert.deepEqual(found.map((s) => s.traceId), [ids.b, ids.a]);
    assert.deepEqual(found[1], {
      traceId: ids.a,
      rootServiceName: "order",
      rootOperationName: "POST /orders",
      minStartTimeUnixNano: `${T0}000000`,
      maxEndTimeUnixNano: `${T0 + 30}000000`,
      spanCount: 2,
      errorSpanCount: 1,
      orphanSpanCount: 0,
      services: [
        { name: "order", spanCount: 1, errorSpanCount: 0 },
        { name: "user", spanCount: 1, errorSpanCount: 1 },
      ],
    });
    const [orphaned] = await summaries(service, {
      ...window,
      "query.operationName": "SELECT users",
    });
    assert.equal(orphaned?.orphanSpanCount, 1);
    assert.equal(orphaned?.rootOperationName, "GET /users");
  } finally {
    await service.close();
  }
});

Deno.test("GET /api/v3/trace-summaries narrows by every filter Jaeger UI sends", async (t) => {
  const service = createTestService();
  try {
    seed(service);
    const traceIds = async (params: Record<string, string>) =>
      (await summaries(service, { ...window, ...params })).map((s) => s.traceId).sort();
    await t.step("query.serviceName matches any span of the trace", async () => {
      assert.deepEqual(await traceIds({ "query.serviceName": "user" }), [ids.a, ids.c]);
    });
    await t.step("query.operationName", async () => {
      const found = await traceIds({
        "query.serviceName": "order",
        "query.operationName": "GET /orders",
      });
      assert.deepEqual(found, [ids.b]);
    });
    await t.step("query.startTimeMin is inclusive, query.startTimeMax exclusive", async () => {
      const between = {
        "query.startTimeMin": iso(T0 + 1000),
        "query.startTimeMax": iso(T0 + 2000),
      };
      assert.deepEqual(await traceIds(between), [ids.b]);
    });
    await t.step("RFC 3339 with nanoseconds and an offset", async () => {
      const found = await traceIds({
        "query.startTimeMin": "2026-01-02T04:04:05.999999999+01:00",
        "query.startTimeMax": "2026-01-02T04:04:06.000000001+01:00",
      });
      assert.deepEqual(found, [ids.b]);
    });
    await t.step("query.durationMin and query.durationMax in Go's duration syntax", async () => {
      assert.deepEqual(await traceIds({ "query.durationMin": "20ms" }), [ids.a, ids.c]);
      assert.deepEqual(await traceIds({ "query.durationMin": "0.04s" }), [ids.c]);
      const order = { "query.serviceName": "order", "query.durationMax": "6000us" };
      assert.deepEqual(await traceIds(order), [ids.b]);
    });
    await t.step("query.searchDepth keeps the newest traces", async () => {
      const found = await summaries(service, { ...window, "query.searchDepth": "1" });
      assert.deepEqual(found.map((s) => s.traceId), [ids.c]);
    });
    await t.step("query.attributes as the UI's JSON object of strings", async () => {
      const attributes = JSON.stringify({ "http.response.status_code": "500" });
      assert.deepEqual(await traceIds({ "query.attributes": attributes }), [ids.a]);
    });
    await t.step(
      "an ERROR status as Jaeger tags it: error=true or otel.status_code=ERROR",
      async () => {
        for (const tags of [{ error: "true" }, { "otel.status_code": "ERROR" }]) {
          assert.deepEqual(await traceIds({ "query.attributes": JSON.stringify(tags) }), [ids.a]);
        }
      },
    );
    await t.step("snake_case aliases mean the same", async () => {
      const found = await summaries(service, {
        "query.service_name": "order",
        "query.start_time_min": iso(T0 + 500),
        "query.start_time_max": iso(T0 + 60_000),
        "query.duration_max": "6ms",
        "query.search_depth": "5",
        "query.raw_traces": "false",
      });
      assert.deepEqual(found.map((s) => s.traceId), [ids.b]);
    });
  } finally {
    await service.close();
  }
});

Deno.test("GET /api/v3/traces and /api/v3/operations narrow by camelCase parameters", async () => {
  const service = createTestService();
  try {
    seed(service);
    const response = await service.query.request(
      "/api/v3/traces?query.serviceName=user&query.searchDepth=1",
    );
    const body = await response.json();
    const traceIds = body.result.resourceSpans.flatMap((rs: { scopeSpans: unknown[] }) =>
      rs.scopeSpans.flatMap((ss) => (ss as { spans: { traceId: string }[] }).spans)
    ).map((span: { traceId: string }) => span.traceId);
    assert.deepEqual([...new Set(traceIds)], [ids.c]);
    for (const name of ["spanKind", "span_kind"]) {
      const operations = await (await service.query.request(
        `/api/v3/operations?service=user&${name}=client`,
      )).json();
      assert.deepEqual(operations, { operations: [{ name: "SELECT users", spanKind: "client" }] });
    }
  } finally {
    await service.close();
  }
});

Deno.test("Jaeger v3 endpoints answer 400 naming an unknown or malformed parameter", async (t) => {
  const service = createTestService();
  try {
    seed(service);
    const cases: [path: string, names: string][] = [
      ["/api/v3/trace-summaries?query.service=order", '"query.service"'],
      ["/api/v3/trace-summaries?serviceName=order", '"serviceName"'],
      ["/api/v3/traces?query.searchDepth=abc", 'query.searchDepth "abc"'],
      ["/api/v3/traces?query.search_depth=0", 'query.search_depth "0"'],
      ["/api/v3/trace-summaries?query.startTimeMin=yesterday", 'query.startTimeMin "yesterday"'],
      ["/api/v3/trace-summaries?query.start_time_max=1700000000", "query.start_time_max"],
      ["/api/v3/trace-summaries?query.durationMin=5", 'query.durationMin "5"'],
      ["/api/v3/trace-summaries?query.duration_max=-1s", 'query.duration_max "-1s"'],
      ["/api/v3/trace-summaries?query.attributes=error%3Dtrue", "query.attributes"],
      ["/api/v3/trace-summaries?query.attributes=%7B%22a%22%3A%7B%7D%7D", "query.attributes"],
      ["/api/v3/trace-summaries?query.rawTraces=maybe", 'query.rawTraces "maybe"'],
      ["/api/v3/trace-summaries?query.filter=%7B%7D", "query.filter"],
      [
        `/api/v3/trace-summaries?query.startTimeMin=${iso(T0)}&query.startTimeMax=${iso(T0)}`,
        "must be before",
      ],
      ["/api/v3/traces?query.serviceName=order&query.service_name=user", "query.serviceName"],
      ["/api/v3/operations?service=user&spanKind=SERVER", 'spanKind "SERVER"'],
      ["/api/v3/operations?service=user&kind=server", '"kind"'],
      ["/api/v3/services?service=user", '"service"'],
      [`/api/v3/traces/${ids.a}?start_time=today`, 'start_time "today"'],
      ["/api/v3/traces/not-a-trace-id", 'trace_id "not-a-trace-id"'],
    ];
    for (const [path, named] of cases) {
      await t.step(path, async () => {
        const message = await badRequest(service, path);
        assert.ok(message.includes(named), `${message} should name ${named}`);
      });
    }
  } finally {
    await service.close();
  }
});

const SAMPLE_TRACE_ID = "5b8efff798038103d269b633813fc60c";

Deno.test("Jaeger's v3 API (/api/v3) answers OTLP JSON under result", async (t) => {
  const service = createTestService();
  try {
    await ingestSample(service);

    await t.step("GET /api/v3/traces/:id returns the trace as OTLP JSON", async () => {
      const body = await (await service.query.request(`/api/v3/traces/${SAMPLE_TRACE_ID}`)).json();
      const [rs] = body.result.resourceSpans;
      // Sorted by key, as Jaeger's adjusters leave them.
      const keys = rs.resource.attributes.map((kv: { key: string }) => kv.key);
      assert.deepEqual(keys, [...keys].sort());
      const name = rs.resource.attributes.find((kv: { key: string }) => kv.key === "service.name");
      assert.equal(name.value.stringValue, "order");
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
