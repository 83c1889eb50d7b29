import assert from "node:assert/strict";
import { jsonInit } from "../../lib/testing/http.ts";
import { createTestService, type TestService } from "../testing/test_deps.ts";
import {
  HOSTILE,
  hostileLogsJson,
  hostileTraceJson,
  messagingTraceJson,
  randomHex,
} from "./_fixture.ts";

async function ingest(service: TestService, path: string, body: unknown): Promise<void> {
  const response = await service.ingest.request(path, jsonInit("POST", body));
  assert.equal(response.status, 200, await response.text());
}

async function page(service: TestService, path: string, status = 200): Promise<string> {
  const response = await service.query.request(path);
  const body = await response.text();
  assert.equal(response.status, status, body.slice(0, 300));
  if (status === 200) {
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(response.headers.get("content-security-policy") ?? "", /script-src 'self'/);
  }
  return body;
}

Deno.test("the tracing page renders every view and escapes what spans carry", async (t) => {
  const service = createTestService();
  const hostile = randomHex(32);
  const messaging = randomHex(32);
  try {
    await ingest(service, "/v1/traces", hostileTraceJson(hostile));
    await ingest(service, "/v1/logs", hostileLogsJson(hostile));
    await ingest(service, "/v1/traces", messagingTraceJson(messaging, "orders.q"));
    service.flush();

    await t.step("GET / redirects to the search", async () => {
      const response = await service.query.request("/");
      assert.equal(response.status, 302);
      assert.equal(response.headers.get("location"), "/search");
    });

    await t.step("GET /search lists both traces with escaped names", async () => {
      const html = await page(service, "/search");
      assert.ok(html.includes(`/trace/${hostile}`));
      assert.ok(html.includes(`/trace/${messaging}`));
      assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
      assert.ok(!html.includes(HOSTILE.spanName));
      assert.ok(!html.includes("<svc>"));
    });

    await t.step("GET /search filters by service and reports a bad duration", async () => {
      const html = await page(service, "/search?service=producer&lookback=1h");
      assert.ok(html.includes(`/trace/${messaging}`));
      assert.ok(!html.includes(`/trace/${hostile}`));
      const bad = await page(service, "/search?minDuration=soon", 400);
      assert.match(bad, /Invalid minDuration &quot;soon&quot;/);
    });

    await t.step("GET /trace/:id escapes names, attributes, events, status and logs", async () => {
      const html = await page(service, `/trace/${hostile}`);
      for (const value of Object.values(HOSTILE)) {
        assert.ok(!html.includes(value), `unescaped: ${value}`);
      }
      assert.ok(html.includes("&lt;script&gt;alert(2)&lt;/script&gt;"));
      assert.ok(html.includes("&lt;i&gt;boom&lt;/i&gt;"));
      assert.ok(html.includes("&lt;script&gt;alert(5)&lt;/script&gt; from the log"));
      assert.doesNotMatch(html, /<script>/);
    });

    await t.step("GET /logs lists log lines inert, each linked to its trace and span", async () => {
      const html = await page(service, "/logs");
      assert.ok(html.includes("&lt;script&gt;alert(5)&lt;/script&gt; from the log"));
      assert.ok(!html.includes(HOSTILE.logBody));
      assert.ok(html.includes(`href="/trace/${hostile}#span-a0000000000000a2"`));
      assert.ok((await page(service, "/logs?level=error")).includes("alert(5)"));
      const trace = await page(service, `/trace/${hostile}`);
      assert.ok(trace.includes(`href="/logs?trace_id=${hostile}"`));
      assert.ok((await page(service, `/logs?trace_id=${hostile}`)).includes("alert(5)"));
      assert.match(await page(service, "/logs?level=fatal"), /No logs match/);
      const longAgo = "/logs?lookback=custom&start=2001-01-01T00:00&end=2001-01-02T00:00";
      assert.match(await page(service, longAgo), /No logs match/);
      const badStart = await page(service, "/logs?lookback=custom&start=soon", 400);
      assert.ok(badStart.includes("Invalid start &quot;soon&quot;"));
      const bad = await page(service, "/logs?trace_id=%3Cb%3E", 400);
      assert.ok(bad.includes("Invalid trace_id &quot;&lt;b&gt;&quot;"));
    });

    await t.step("GET /trace/:id draws the broker wait between send and process", async () => {
      const full = await page(service, `/trace/${messaging}`);
      const html = full.slice(full.indexOf('class="waterfall"'));
      const order = [
        "b0000000000000b1",
        "b0000000000000b2",
        "wait-b0000000000000b3",
        "b0000000000000b3",
      ]
        .map((id) => html.indexOf(`id="span-${id}"`));
      assert.ok(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!)), `${order}`);
      assert.ok(html.includes("broker wait"));
    });

    await t.step("GET /trace/:id answers 404 and 400 as pages", async () => {
      await page(service, `/trace/${randomHex(32)}`, 404);
      const bad = await page(service, "/trace/%3Cb%3E", 400);
      assert.ok(bad.includes("&lt;b&gt;"));
    });

    await t.step("Jaeger's compare path redirects to /compare", async () => {
      const response = await service.query.request(`/trace/${hostile}...${messaging}`);
      assert.equal(response.status, 302);
      assert.equal(response.headers.get("location"), `/compare?a=${hostile}&b=${messaging}`);
      const html = await page(service, `/compare?a=${hostile}&b=${messaging}`);
      assert.ok(html.includes('data-side="a"') && html.includes('data-side="b"'));
    });

    await t.step(
      "GET /services and /dependencies show the services and the broker hop",
      async () => {
        const services = await page(service, "/services");
        for (const name of ["producer", "consumer", "evil&lt;svc&gt;"]) {
          assert.ok(services.includes(name), name);
        }
        const deps = await page(service, "/dependencies");
        assert.ok(deps.includes('data-node="orders.q"'));
        assert.ok(deps.includes("queue orders.q"));
      },
    );

    await t.step("the API routes still answer JSON", async () => {
      const response = await service.query.request("/api/v1/services");
      assert.deepEqual((await response.json()).services.sort(), [
        "consumer",
        "evil<svc>",
        "producer",
      ]);
      const script = await service.query.request("/ui/app.js");
      assert.match(script.headers.get("content-type") ?? "", /javascript/);
      assert.doesNotMatch(await script.text(), /innerHTML/);
    });
  } finally {
    await service.close();
  }
});
