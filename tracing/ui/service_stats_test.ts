import assert from "node:assert/strict";
import { makeSpan } from "../testing/span_fixture.ts";
import { createTestService } from "../testing/test_deps.ts";
import { serviceStats } from "./service_stats.ts";
import { readWindow } from "./window.ts";

const SERVER = 2;
const CLIENT = 3;
const ERROR = { code: 2, message: "404" };

Deno.test("serviceStats() keeps operations of one name apart by span kind", async (t) => {
  const service = createTestService();
  try {
    const now = Date.now();
    const span = (name: string, kind: number, error = false) =>
      makeSpan({
        service: "order",
        name,
        kind,
        startMs: now - 1000,
        ...(error ? { status: ERROR } : {}),
      });
    service.store.writeSpans([
      span("POST /orders", SERVER),
      // order's calls to user, one for an unknown user...
      span("GET", CLIENT),
      span("GET", CLIENT, true),
      // ...and a request for a path order has no route for.
      span("GET", SERVER),
    ]);
    const view = serviceStats(service.store, [], "1h", now);
    const rows = view.services[0]!.operations.map((op) =>
      `${op.name} ${op.kind}: ${op.stats.count} spans, ${op.stats.error_rate} errors`
    ).sort();

    await t.step("a CLIENT GET and a SERVER GET are two rows with their own numbers", () => {
      assert.deepEqual(rows, [
        "GET client: 2 spans, 0.5 errors",
        "GET server: 1 spans, 0 errors",
        "POST /orders server: 1 spans, 0 errors",
      ]);
    });
    await t.step("the page names the kind and marks the request no route matched", async () => {
      const html = await (await service.query.request("/services")).text();
      const text = html.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ");
      assert.match(text, /GET client /);
      assert.match(text, /GET server · no route matched/);
      assert.doesNotMatch(text, /POST \/orders server · no route matched/);
    });
  } finally {
    await service.close();
  }
});

Deno.test("GET /services and /dependencies open on the same window, the last hour", async () => {
  const service = createTestService();
  try {
    for (const path of ["/services", "/dependencies"]) {
      const html = await (await service.query.request(path)).text();
      const selected = [...html.matchAll(/<option[^>]*value="([^"]+)"[^>]*selected/g)]
        .map((m) => m[1]);
      assert.deepEqual(selected, ["1h"], path);
      const offered = [...html.matchAll(/<option[^>]*value="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(offered, ["5m", "15m", "1h", "6h", "24h", "168h"], path);
    }
  } finally {
    await service.close();
  }
});

Deno.test("readWindow() falls back to the default window and says why", () => {
  assert.deepEqual(readWindow("6h"), { lookback: "6h", windowUs: 6 * 3600e6 });
  const bad = readWindow("soon");
  assert.equal(bad.lookback, "1h");
  assert.equal(bad.windowUs, 3600e6);
  assert.match(bad.error ?? "", /lookback/);
});
