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

Deno.test("parseAlertRules() rejects rules without a service or with an unknown metric", () => {
  assert.equal(typeof parseAlertRules('[{"metric":"p99","threshold":1}]'), "string");
  assert.equal(typeof parseAlertRules('[{"service":"a","metric":"p42","threshold":1}]'), "string");
  assert.equal(typeof parseAlertRules("nope"), "string");
});
