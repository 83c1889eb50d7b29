import assert from "node:assert/strict";
import { makeSpan } from "../testing/span_fixture.ts";
import { JaegerErrorSchema, MetricFamilySchema } from "../testing/jaeger_ui_contract.ts";
import { createTestService, type TestService } from "../testing/test_deps.ts";
import { jaegerMetricsRoutes } from "./jaeger_metrics.ts";

const MINUTE = 60_000;

/** order: 20 SERVER spans of 1..20 ms (3 errors) and 10 CLIENT spans; user: 5 SERVER spans. */
function seed(service: TestService, nowMs: number): void {
  const spans = [];
  for (let i = 0; i < 20; i++) {
    spans.push(makeSpan({
      service: "order",
      name: i % 2 === 0 ? "GET /orders" : "POST /orders",
      startMs: nowMs - MINUTE + i * 100,
      durationMs: i + 1,
      status: { code: i % 7 === 0 ? 2 : 0, message: "" },
    }));
  }
  for (let i = 0; i < 10; i++) {
    spans.push(makeSpan({
      service: "order",
      name: "GET",
      kind: 3,
      startMs: nowMs - MINUTE + i * 100,
      durationMs: 100 + i,
    }));
  }
  for (let i = 0; i < 5; i++) {
    spans.push(makeSpan({ service: "user", name: "GET /users/:id", startMs: nowMs - MINUTE }));
  }
  service.store.writeSpans(spans);
}

async function family(service: TestService, path: string) {
  const response = await service.query.request(path);
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  return MetricFamilySchema.parse(body);
}

const lastValue = (metric: { metricPoints: { gaugeValue: { doubleValue: number | "NaN" } }[] }) =>
  metric.metricPoints.at(-1)!.gaugeValue.doubleValue;

Deno.test("/api/metrics/* agree with /api/v1/metrics for the same window", async () => {
  const service = createTestService();
  try {
    const now = Date.now();
    seed(service, now);
    const window = `endTs=${now}&lookback=${10 * MINUTE}&step=${MINUTE}&ratePer=${10 * MINUTE}`;
    const kinds = "spanKind=server&spanKind=client";
    const own = await (await service.query.request("/api/v1/metrics?service=order&window=10m"))
      .json();
    assert.equal(own.count, 30);
    const calls = await family(service, `/api/metrics/calls?service=order&${window}&${kinds}`);
    assert.equal(calls.name, "service_call_rate");
    assert.deepEqual(calls.metrics.map((m) => m.labels), [[
      { name: "service_name", value: "order" },
    ]]);
    assert.equal(lastValue(calls.metrics[0]!), own.rate_per_second);
    const errors = await family(service, `/api/metrics/errors?service=order&${window}&${kinds}`);
    assert.equal(errors.name, "service_error_rate");
    assert.equal(lastValue(errors.metrics[0]!), own.error_rate);
    for (const [quantile, field] of [[0.5, "p50_ms"], [0.95, "p95_ms"], [0.99, "p99_ms"]]) {
      const latencies = await family(
        service,
        `/api/metrics/latencies?service=order&quantile=${quantile}&${window}&${kinds}`,
      );
      assert.equal(latencies.name, "service_latencies");
      assert.equal(
        latencies.help,
        `${Number(quantile).toFixed(2)}th quantile latency, grouped by service`,
      );
      assert.equal(lastValue(latencies.metrics[0]!), own[field as string]);
    }
  } finally {
    await service.close();
  }
});

Deno.test("/api/metrics/* follow Jaeger's parameters and defaults", async (t) => {
  const service = createTestService();
  try {
    const now = Date.now();
    seed(service, now);
    const window = `endTs=${now}&lookback=${20 * MINUTE}&step=${5 * MINUTE}&ratePer=${10 * MINUTE}`;
    await t.step("spanKind defaults to server", async () => {
      const calls = await family(service, `/api/metrics/calls?service=order&${window}`);
      assert.equal(lastValue(calls.metrics[0]!), 20 / 600);
    });
    await t.step("a point every step up to endTs; no calls is rate 0 and no latency", async () => {
      const calls = await family(service, `/api/metrics/calls?service=order&${window}`);
      const points = calls.metrics[0]!.metricPoints;
      assert.deepEqual(
        points.map((p) => Date.parse(p.timestamp)),
        [20, 15, 10, 5, 0].map((ago) => now - ago * MINUTE),
      );
      assert.deepEqual(points.map((p) => p.gaugeValue.doubleValue), [0, 0, 0, 0, 20 / 600]);
      const latencies = await family(
        service,
        `/api/metrics/latencies?service=order&quantile=0.95&${window}`,
      );
      assert.deepEqual(
        latencies.metrics[0]!.metricPoints.map((p) => p.gaugeValue.doubleValue),
        ["NaN", "NaN", "NaN", "NaN", 19],
      );
    });
    await t.step(
      "groupByOperation labels each series with operation and service_name",
      async () => {
        const calls = await family(
          service,
          `/api/metrics/calls?service=order&groupByOperation=true&${window}`,
        );
        assert.equal(calls.name, "service_operation_call_rate");
        assert.equal(calls.help, "calls/sec, grouped by service & operation");
        assert.deepEqual(calls.metrics.map((m) => m.labels), [
          [{ name: "operation", value: "GET /orders" }, { name: "service_name", value: "order" }],
          [{ name: "operation", value: "POST /orders" }, { name: "service_name", value: "order" }],
        ]);
        assert.deepEqual(calls.metrics.map(lastValue), [10 / 600, 10 / 600]);
        const errors = await family(
          service,
          `/api/metrics/errors?service=order&groupByOperation=1&${window}`,
        );
        // Errors at i = 0 and 14 (GET, of 10) and i = 7 (POST, of 10).
        assert.deepEqual(errors.metrics.map(lastValue), [0.2, 0.1]);
      },
    );
    await t.step("service repeated, also as Jaeger UI joins it", async () => {
      for (const services of ["service=order&service=user", "service=order,service=user"]) {
        const calls = await family(service, `/api/metrics/calls?${services}&${window}`);
        assert.deepEqual(calls.metrics.map((m) => m.labels[0]!.value), ["order", "user"]);
      }
    });
    await t.step("minstep answers in Jaeger's envelope", async () => {
      const body = await (await service.query.request("/api/metrics/minstep")).json();
      assert.deepEqual(body, { data: 1, total: 0, limit: 0, offset: 0, errors: null });
    });
  } finally {
    await service.close();
  }
});

Deno.test("/api/metrics/* refuse a time range with more spans than they read", async () => {
  const service = createTestService();
  try {
    const now = Date.now();
    seed(service, now);
    const app = jaegerMetricsRoutes(service.store, { now: () => now, maxSpans: 19 });
    const response = await app.request("/api/metrics/calls?service=order&service=user");
    const body = JaegerErrorSchema.parse(await response.json());
    assert.equal(response.status, 400);
    assert.match(body.errors[0]!.msg, /^Too many spans .*: more than 19 a service/);
    const fits = await jaegerMetricsRoutes(service.store, { now: () => now, maxSpans: 20 })
      .request("/api/metrics/calls?service=order&service=user");
    assert.equal(fits.status, 200);
  } finally {
    await service.close();
  }
});

Deno.test("/api/metrics/* answer what they cannot in Jaeger's error envelope", async (t) => {
  const service = createTestService();
  try {
    const cases: [path: string, status: number, named: string][] = [
      ["/api/metrics/calls", 400, "service"],
      ["/api/metrics/latencies?service=order", 400, "quantile"],
      ["/api/metrics/latencies?service=order&quantile=1.5", 400, 'quantile "1.5"'],
      ["/api/metrics/calls?service=order&spanKind=SERVER", 400, 'spanKind "SERVER"'],
      ["/api/metrics/calls?service=order&step=0", 400, 'step "0"'],
      ["/api/metrics/calls?service=order&lookback=86400000&step=1", 400, "step"],
      ["/api/metrics/calls?service=order&endTs=now", 400, 'endTs "now"'],
      ["/api/metrics/errors?service=order&groupByOperation=maybe", 400, "groupByOperation"],
      ["/api/metrics/errors?service=order&window=5m", 400, '"window"'],
      ["/api/metrics/throughput?service=order", 404, '"throughput"'],
    ];
    for (const [path, status, named] of cases) {
      await t.step(path, async () => {
        const response = await service.query.request(path);
        const body = JaegerErrorSchema.parse(await response.json());
        assert.equal(response.status, status);
        assert.equal(body.errors[0]!.code, status);
        assert.ok(body.errors[0]!.msg.includes(named), `${body.errors[0]!.msg} names ${named}`);
      });
    }
  } finally {
    await service.close();
  }
});
