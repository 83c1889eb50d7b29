import assert from "node:assert/strict";
import { jsonInit } from "../../lib/testing/http.ts";
import { createTestService, type TestService } from "../testing/test_deps.ts";
import { readLogQuery } from "./logs_api.ts";

const TRACE_A = "0af7651916cd43dd8448eb211c80319c";
const TRACE_B = "4bf92f3577b34da6a3ce929d0e0e4736";
const NOW_MS = Date.now();

function record(
  options: {
    service: string;
    severity: [number, string];
    body: string;
    traceId?: string;
    spanId?: string;
    agoMs: number;
    attributes?: Record<string, string>;
  },
) {
  return {
    resource: { attributes: [{ key: "service.name", value: { stringValue: options.service } }] },
    scopeLogs: [{
      logRecords: [{
        timeUnixNano: String(BigInt(NOW_MS - options.agoMs) * 1_000_000n),
        severityNumber: options.severity[0],
        severityText: options.severity[1],
        body: { stringValue: options.body },
        traceId: options.traceId ?? "",
        spanId: options.spanId ?? "",
        attributes: Object.entries(options.attributes ?? {}).map(([key, value]) => ({
          key,
          value: { stringValue: value },
        })),
      }],
    }],
  };
}

async function seed(service: TestService): Promise<void> {
  const resourceLogs = [
    record({
      service: "order",
      severity: [9, "INFO"],
      body: "Request handled",
      traceId: TRACE_A,
      spanId: "00f067aa0ba902b7",
      agoMs: 3000,
      attributes: { route: "/orders" },
    }),
    record({
      service: "order",
      severity: [13, "WARN"],
      body: "Unknown user; order refused",
      traceId: TRACE_A,
      spanId: "00f067aa0ba902b7",
      agoMs: 2000,
      attributes: { username: 'Zoë "ghost"' },
    }),
    record({
      service: "consumer",
      severity: [17, "ERROR"],
      body: "Message failed; dead-lettered",
      traceId: TRACE_B,
      spanId: "b7ad6b7169203331",
      agoMs: 1000,
    }),
    record({ service: "user", severity: [9, "INFO"], body: "Listening", agoMs: 3 * 3600_000 }),
  ];
  const response = await service.ingest.request(
    "http://localhost/v1/logs",
    jsonInit("POST", { resourceLogs }),
  );
  assert.equal(response.status, 200, await response.text());
  service.flush();
}

async function search(service: TestService, query: string) {
  const response = await service.query.request(`/api/v1/logs${query}`);
  const body = await response.json();
  return { status: response.status, body };
}

Deno.test("GET /api/v1/logs filters stored log records", async (t) => {
  const service = createTestService();
  try {
    await seed(service);

    await t.step("the last hour, newest first, in the own API's shape", async () => {
      const { status, body } = await search(service, "");
      assert.equal(status, 200);
      assert.equal(body.count, 3);
      assert.deepEqual(body.logs.map((log: { body: string }) => log.body), [
        "Message failed; dead-lettered",
        "Unknown user; order refused",
        "Request handled",
      ]);
      const [, warn] = body.logs;
      assert.equal(warn.trace_id, TRACE_A);
      assert.equal(warn.span_id, "00f067aa0ba902b7");
      assert.equal(warn.severity, "WARN");
      assert.equal(warn.service, "order");
      assert.deepEqual(warn.attributes, { username: 'Zoë "ghost"' });
    });

    await t.step("by service, level and trace id", async () => {
      const byService = await search(service, "?service=consumer");
      assert.deepEqual(byService.body.logs.map((l: { service: string }) => l.service), [
        "consumer",
      ]);
      const warnAndAbove = await search(service, "?level=warn");
      assert.equal(warnAndAbove.body.count, 2);
      const byTrace = await search(service, `?trace_id=${TRACE_A.toUpperCase()}`);
      assert.equal(byTrace.body.count, 2);
    });

    await t.step("by text in the body or the attribute values, any case", async () => {
      assert.equal((await search(service, "?q=DEAD-LETTERED")).body.count, 1);
      assert.equal((await search(service, "?q=%2Forders")).body.count, 1);
      assert.equal((await search(service, `?q=${encodeURIComponent('zoë "ghost')}`)).body.count, 1);
      assert.equal((await search(service, "?q=nothing-like-this")).body.count, 0);
    });

    await t.step("by time window and limit", async () => {
      assert.equal((await search(service, "?lookback=6h")).body.count, 4);
      assert.equal((await search(service, "?lookback=6h&limit=1")).body.count, 1);
      const endUs = (NOW_MS - 1500) * 1000;
      const older = await search(service, `?end=${endUs}&lookback=1h`);
      assert.equal(older.body.count, 2);
    });

    await t.step("a bad parameter is a 400 JSON error", async () => {
      for (const query of ["?level=loud", "?trace_id=xyz", "?limit=-1", "?lookback=soon"]) {
        const { status, body } = await search(service, query);
        assert.equal(status, 400, query);
        assert.equal(typeof body.error.message, "string");
      }
    });
  } finally {
    await service.close();
  }
});

Deno.test("readLogQuery() searches a trace's logs at any age unless a window is given", () => {
  const query = readLogQuery((name) => ({ trace_id: TRACE_B } as Record<string, string>)[name], 0);
  assert.deepEqual(query, { limit: 100, traceId: TRACE_B });
  const windowed = readLogQuery(
    (name) => ({ trace_id: TRACE_B, lookback: "1s" } as Record<string, string>)[name],
    10_000,
  );
  assert.equal(windowed.startUs, 9_000_000);
});
