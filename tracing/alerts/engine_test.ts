import assert from "node:assert/strict";
import { createLogger } from "../../lib/log.ts";
import { TestClock } from "../../lib/testing/clock.ts";
import { makeSpan } from "../testing/span_fixture.ts";
import { parseAlertRules } from "./rule.ts";
import { createAlertEngine } from "./engine.ts";
import { openTraceStore } from "../store/store.ts";

Deno.test("createAlertEngine() fires on slow p99 and resolves, posting both to the webhook", async () => {
  const store = openTraceStore(":memory:");
  const lines: string[] = [];
  const posts: Record<string, unknown>[] = [];
  const fakeFetch = ((_url: string | URL | Request, init?: RequestInit) => {
    posts.push(JSON.parse(String(init?.body)));
    return Promise.resolve(new Response("ok"));
  }) as typeof fetch;
  const rules = parseAlertRules(
    '[{"service":"user","metric":"p99","threshold":100,"window_ms":60000}]',
  );
  assert.ok(Array.isArray(rules));
  const clock = new TestClock();
  const engine = createAlertEngine({
    store,
    rules,
    intervalMs: 60_000,
    webhookUrl: "http://hooks.test/alerts",
    logger: createLogger({ service: "tracing", write: (line) => lines.push(line) }),
    fetch: fakeFetch,
    now: clock.now,
  });
  try {
    store.writeSpans([makeSpan({ service: "user", durationMs: 250, startMs: clock.now() - 1000 })]);
    await engine.evaluate();
    assert.equal(engine.list()[0]?.state, "firing");
    assert.equal(engine.list()[0]?.value, 250);
    assert.ok(lines.some((line) => line.includes('"msg":"Alert firing"')));
    clock.advance(120_000);
    await engine.evaluate();
    assert.equal(engine.list()[0]?.state, "ok");
    assert.deepEqual(posts.map((p) => p.state), ["firing", "ok"]);
  } finally {
    await engine.close();
    store.close();
  }
});

Deno.test("createAlertEngine() fires an error_rate rule above its ratio and stays ok without data", async () => {
  const store = openTraceStore(":memory:");
  const clock = new TestClock();
  const rules = parseAlertRules(
    '[{"service":"order","metric":"error_rate","threshold":0.25,"window_ms":60000},' +
      '{"service":"idle","metric":"error_rate","threshold":0}]',
  );
  assert.ok(Array.isArray(rules));
  const engine = createAlertEngine({
    store,
    rules,
    intervalMs: 60_000,
    logger: createLogger({ service: "tracing", write: () => {} }),
    now: clock.now,
  });
  const span = (error: boolean) =>
    makeSpan({
      service: "order",
      startMs: clock.now() - 1000,
      status: { code: error ? 2 : 0, message: "" },
    });
  try {
    store.writeSpans([span(true), span(false), span(false), span(false)]);
    await engine.evaluate();
    const [order, idle] = engine.list();
    assert.equal(order?.value, 0.25);
    assert.equal(order?.state, "ok", "a rate equal to the threshold does not fire");
    assert.equal(idle?.value, null);
    assert.equal(idle?.state, "ok", "no spans is no data, not a 0% error rate");

    store.writeSpans([span(true)]);
    await engine.evaluate();
    assert.equal(engine.list()[0]?.value, 0.4);
    assert.equal(engine.list()[0]?.state, "firing");

    clock.advance(120_000);
    await engine.evaluate();
    assert.equal(engine.list()[0]?.state, "ok");
    assert.equal(engine.list()[0]?.value, null);
  } finally {
    await engine.close();
    store.close();
  }
});

Deno.test("parseAlertRules() rejects rules without a service or with an unknown metric", () => {
  assert.equal(typeof parseAlertRules('[{"metric":"p99","threshold":1}]'), "string");
  assert.equal(typeof parseAlertRules('[{"service":"a","metric":"p42","threshold":1}]'), "string");
  assert.equal(typeof parseAlertRules("nope"), "string");
});
