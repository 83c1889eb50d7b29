import assert from "node:assert/strict";
import { makeSpan } from "../testing/span_fixture.ts";
import { createTestService } from "../testing/test_deps.ts";
import type { SpanRecord } from "../span_model.ts";

const U64_MAX = "18446744073709551615";

/**
 * Spans that a store written before times were checked at ingest may hold: an end at 2^64-1 ns,
 * starts in 2300 and at 2^64-1 ns, a start at 0000-01-01, each beside an ordinary span of its
 * service.
 */
function hostileSpans(nowMs: number): SpanRecord[] {
  const ordinary = (service: string) =>
    makeSpan({ service, name: "GET /ok", startMs: nowMs - 60_000, durationMs: 20 });
  const at = (service: string, start: string, end: string) => ({
    ...makeSpan({ service, name: "GET /odd" }),
    startTimeUnixNano: start,
    endTimeUnixNano: end,
  });
  const start2300 = String(BigInt(Date.UTC(2300, 0, 1)) * 1_000_000n);
  // What the span API stored for `0000-01-01T00:00:00Z`: negative nanoseconds.
  const year0 = `${BigInt(Date.parse("0000-01-01T00:00:00Z")) * 1_000_000n}`;
  return [
    ordinary("end-max"),
    at("end-max", String(BigInt(nowMs - 1000) * 1_000_000n), U64_MAX),
    ordinary("start-2300"),
    at("start-2300", start2300, start2300),
    ordinary("start-max"),
    at("start-max", U64_MAX, U64_MAX),
    ordinary("year-0"),
    at("year-0", year0, year0),
  ];
}

Deno.test("every read survives span times that do not fit a double of µs", async (t) => {
  const service = createTestService();
  const nowMs = Date.now();
  try {
    service.store.writeSpans(hostileSpans(nowMs));
    const get = async (path: string) => {
      const response = await service.query.request(path);
      const text = await response.text();
      assert.equal(response.status, 200, `${path}: ${text.slice(0, 300)}`);
      return text;
    };
    await t.step("service and operation lists", async () => {
      for (const path of ["/api/v1/services", "/api/services", "/api/v3/services"]) {
        assert.match(await get(path), /end-max/);
      }
      await get("/api/v1/operations?service=end-max");
    });
    for (const svc of ["end-max", "start-2300", "start-max", "year-0"]) {
      await t.step(`metrics, SPM and searches of ${svc}`, async () => {
        await get(`/api/v1/metrics?service=${svc}`);
        await get(`/api/metrics/latencies?service=${svc}&quantile=0.95`);
        await get(`/api/metrics/calls?service=${svc}`);
        for (
          const path of [
            `/api/v1/traces/search?service=${svc}`,
            `/api/traces?service=${svc}`,
            `/api/v3/traces?query.service_name=${svc}&query.start_time_min=${
              new Date(nowMs - 3600_000).toISOString()
            }&query.start_time_max=${new Date(nowMs + 60_000).toISOString()}`,
          ]
        ) {
          const text = await get(path);
          assert.match(text, /GET \/ok/, `${path} lost the ordinary span: ${text.slice(0, 300)}`);
        }
        assert.match(await get(`/search?service=${svc}`), /GET \/ok/);
      });
    }
    await t.step(
      "an explicit end finds the far-future spans, and their traces render",
      async () => {
        for (const svc of ["end-max", "start-2300", "start-max"]) {
          const { traces } = JSON.parse(
            await get(`/api/v1/traces/search?service=${svc}&start=0&end=99999999999999999999`),
          );
          assert.equal(traces.length, 2, `${svc}: ${JSON.stringify(traces)}`);
          for (const { trace_id: id } of traces) {
            for (const path of ["/trace/", "/api/v1/traces/", "/api/traces/", "/api/v3/traces/"]) {
              await get(`${path}${id}`);
            }
          }
        }
      },
    );
    await t.step("the services page", async () => {
      assert.match(await get("/services"), /start-max/);
    });
    await t.step("alert rules over each service evaluate without error", async () => {
      for (const svc of ["end-max", "start-2300", "start-max", "year-0"]) {
        service.alerts.addRule({
          name: svc,
          service: svc,
          metric: "p99",
          threshold: 1,
          windowMs: 3600_000,
        });
      }
      await service.alerts.evaluate();
      for (const state of service.alerts.list()) {
        assert.equal(state.error, null, state.rule.name);
        // The span ending at 2^64-1 ns reads as the longest duration a double holds exactly.
        const want = state.rule.service === "end-max" ? Number.MAX_SAFE_INTEGER / 1000 : 20;
        assert.ok(Math.abs(state.value! / want - 1) <= 0.01, `${state.rule.name}: ${state.value}`);
      }
    });
  } finally {
    await service.close();
  }
});
