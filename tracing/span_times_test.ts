import root from "otlp-proto";
import assert from "node:assert/strict";
import { jsonInit } from "../lib/testing/http.ts";
import { createTestService } from "./testing/test_deps.ts";
import { EARLIEST_SPAN_MS, keepPlausibleSpans, MAX_AHEAD_MS } from "./span_times.ts";

// deno-lint-ignore no-explicit-any -- the generated module has no types for the root object
const proto = (root as any).opentelemetry.proto;
const Request = proto.collector.trace.v1.ExportTraceServiceRequest;

const U64_MAX = "18446744073709551615";
const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
const YEAR_2300 = ns(Date.UTC(2300, 0, 1));

function span(id: number, start: string, end: string) {
  return {
    traceId: "ab".repeat(15) + String(id).padStart(2, "0"),
    spanId: "cd".repeat(7) + String(id).padStart(2, "0"),
    name: `span ${id}`,
    kind: 2,
    startTimeUnixNano: start,
    endTimeUnixNano: end,
  };
}

function request(spans: unknown[]) {
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: "times" } }] },
      scopeSpans: [{ spans }],
    }],
  };
}

Deno.test("keepPlausibleSpans() keeps 2000-01-01 up to a day ahead and says why it refuses", () => {
  const now = Date.UTC(2026, 11, 6);
  const at = (start: string, end = start) => ({ startTimeUnixNano: start, endTimeUnixNano: end });
  const edges = [at(ns(EARLIEST_SPAN_MS)), at(ns(now), ns(now + MAX_AHEAD_MS))];
  assert.equal(keepPlausibleSpans(edges, now).kept, edges, "all kept: the same array");
  const cases: [ReturnType<typeof at>, RegExp][] = [
    [
      at(ns(now), U64_MAX),
      /^Span end "2554-07-21T23:34:33\.709Z" \(18446744073709551615 ns\) is more than a day after the service's clock \("2026-12-07T00:00:00\.000Z"/,
    ],
    [at(U64_MAX), /^Span start .* is more than a day after/],
    [at(YEAR_2300), /^Span start "2300-01-01T00:00:00\.000Z" .* is more than a day after/],
    [
      at(ns(EARLIEST_SPAN_MS - 1)),
      /^Span start "1999-12-31T23:59:59\.999Z" .* is before 2000-01-01T00:00:00Z$/,
    ],
    [at("0", ns(now)), /^Span start .* is before 2000-01-01/],
  ];
  for (const [times, message] of cases) {
    const out = keepPlausibleSpans([edges[0]!, times, edges[1]!], now);
    assert.deepEqual(out.kept, edges);
    assert.equal(out.rejected, 1);
    assert.match(out.firstError ?? "", message);
  }
});

Deno.test("OTLP ingest rejects spans outside the accepted times in partialSuccess, counted", async (t) => {
  const service = createTestService();
  const now = Date.now();
  const good = span(1, ns(now - 1000), ns(now));
  try {
    await t.step("JSON: an end at 2^64-1 ns", async () => {
      const response = await service.ingest.request(
        "/v1/traces",
        jsonInit("POST", request([good, span(2, ns(now - 1000), U64_MAX)])),
      );
      assert.equal(response.status, 200);
      const { partialSuccess } = await response.json();
      assert.equal(partialSuccess.rejectedSpans, "1");
      assert.match(
        partialSuccess.errorMessage,
        /^Span end .*18446744073709551615 ns.* more than a day/,
      );
    });
    await t.step("protobuf: a start at 2^64-1 ns", async () => {
      const body = Request.encode(Request.fromObject({
        resourceSpans: [{
          resource: { attributes: [{ key: "service.name", value: { stringValue: "times" } }] },
          scopeSpans: [{
            spans: [{
              traceId: new Uint8Array(16).fill(3),
              spanId: new Uint8Array(8).fill(4),
              name: "max",
              startTimeUnixNano: U64_MAX,
              endTimeUnixNano: U64_MAX,
            }],
          }],
        }],
      })).finish();
      const response = await service.ingest.request("/v1/traces", {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body,
      });
      assert.equal(response.status, 200);
      const decoded = proto.collector.trace.v1.ExportTraceServiceResponse.decode(
        new Uint8Array(await response.arrayBuffer()),
      );
      assert.equal(Number(decoded.partialSuccess.rejectedSpans), 1);
      assert.match(decoded.partialSuccess.errorMessage, /^Span start .* more than a day/);
    });
    await t.step("JSON: a start in the year 2300 and one before 2000", async () => {
      const response = await service.ingest.request(
        "/v1/traces",
        jsonInit("POST", request([span(5, YEAR_2300, YEAR_2300), span(6, "1", "2")])),
      );
      assert.equal((await response.json()).partialSuccess.rejectedSpans, "2");
    });
    await t.step("only the plausible span is stored, and /metrics counts the rest", async () => {
      service.flush();
      assert.equal(service.store.spanCount(), 1);
      assert.ok(service.store.getTrace(good.traceId) !== undefined);
      const text = await (await service.query.request("/metrics")).text();
      assert.match(text, /tracing_items_rejected_total\{signal="traces",reason="time"\} 4/);
    });
  } finally {
    await service.close();
  }
});

Deno.test("the span API answers 400 for a time outside the accepted ones", async (t) => {
  const service = createTestService();
  const post = (path: string, body: unknown) => service.query.request(path, jsonInit("POST", body));
  try {
    for (
      const [what, time, message] of [
        [
          "the year 2300",
          "2300-01-01T00:00:00Z",
          /it is more than a day after the service's clock/,
        ],
        ["0000-01-01", "0000-01-01T00:00:00Z", /it is before 2000-01-01T00:00:00Z/],
      ] as const
    ) {
      await t.step(`start_time in ${what}`, async () => {
        const response = await post("/api/v1/spans", { name: "x", start_time: time });
        assert.equal(response.status, 400);
        const { error } = await response.json();
        assert.equal(error.code, "invalid_time");
        assert.match(error.message, new RegExp(`^Invalid start_time "${time}": `));
        assert.match(error.message, message);
      });
    }
    await t.step(
      "an event time or end_time in 2300, and the span stays open to end properly",
      async () => {
        const started = await post("/api/v1/spans", { name: "x" });
        const { span_id: id } = await started.json();
        const late = await post(`/api/v1/spans/${id}/end`, { end_time: "2300-01-01T00:00:00Z" });
        assert.equal(late.status, 400);
        assert.match((await late.json()).error.message, /^Invalid end_time "2300-01-01T00:00:00Z"/);
        const event = await post(`/api/v1/spans/${id}/events`, {
          name: "e",
          time: "2300-01-01T00:00:00Z",
        });
        assert.equal(event.status, 400);
        assert.match((await event.json()).error.message, /^Invalid time "2300-01-01T00:00:00Z"/);
        const ended = await post(`/api/v1/spans/${id}/end`, {});
        assert.equal(ended.status, 200);
        await ended.body?.cancel();
      },
    );
    await t.step("/start-trace refuses 0000-01-01 too", async () => {
      const response = await post("/start-trace", {
        operation: "x",
        start_time: "0000-01-01T00:00:00Z",
      });
      assert.equal(response.status, 400);
      assert.equal((await response.json()).error.code, "invalid_time");
    });
  } finally {
    await service.close();
  }
});
