import assert from "node:assert/strict";
import { createLogger } from "../../lib/log.ts";
import { TestClock } from "../../lib/testing/clock.ts";
import { makeSpan } from "../testing/span_fixture.ts";
import { type AlertRule, parseAlertRules } from "./rule.ts";
import type { RuleStore } from "./measure_rules.ts";
import type { HttpError } from "../../lib/http/errors.ts";
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
    maxRules: 10,
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
    maxRules: 10,
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
  assert.match(
    String(parseAlertRules(
      '[{"name":"x","service":"a","metric":"p99","threshold":1},' +
        '{"name":"x","service":"b","metric":"p50","threshold":2}]',
    )),
    /each name once \(twice: "x"\)/,
  );
});

function quietEngine(store: RuleStore, options: { maxRules?: number; now?: () => number } = {}) {
  return createAlertEngine({
    store,
    rules: [],
    maxRules: options.maxRules ?? 10,
    intervalMs: 60_000,
    logger: createLogger({ service: "tracing", write: () => {} }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

function rule(name: string, service = "user"): AlertRule {
  return { name, service, metric: "p99", threshold: 100, windowMs: 60_000 };
}

Deno.test("AlertEngine.addRule() refuses a taken name (409) and a rule past the cap (422)", async (t) => {
  const store = openTraceStore(":memory:");
  const engine = quietEngine(store, { maxRules: 2 });
  try {
    assert.equal(engine.addRule(rule("a")), "created");
    await t.step("the same name again is 409 rule_exists", () => {
      assert.throws(() => engine.addRule(rule("a")), (error: HttpError) => {
        assert.equal(error.status, 409);
        assert.equal(error.code, "rule_exists");
        assert.match(error.message, /Alert rule "a" already exists/);
        return true;
      });
    });
    await t.step("replace swaps the rule in place, within the cap", () => {
      assert.equal(engine.addRule(rule("b")), "created");
      assert.equal(engine.addRule({ ...rule("a"), threshold: 5 }, { replace: true }), "replaced");
      assert.deepEqual(engine.list().map((s) => [s.rule.name, s.rule.threshold]), [
        ["a", 5],
        ["b", 100],
      ]);
    });
    await t.step("a third rule is 422 too_many_rules naming the variable", () => {
      assert.throws(() => engine.addRule(rule("c")), (error: HttpError) => {
        assert.equal(error.status, 422);
        assert.equal(error.code, "too_many_rules");
        assert.match(error.message, /the limit is 2 \(ALERT_MAX_RULES\)/);
        return true;
      });
      assert.equal(engine.list().length, 2);
    });
  } finally {
    await engine.close();
    store.close();
  }
});

Deno.test("AlertEngine shows a rule's evaluation error on that rule while the others go on", async () => {
  const store = openTraceStore(":memory:");
  const clock = new TestClock();
  let broken = true;
  const engine = quietEngine({
    operations: store.operations,
    scanSpans(query) {
      if (broken && query.service === "bad") throw new RangeError("Value is too large");
      return store.scanSpans(query);
    },
  }, { now: clock.now });
  try {
    store.writeSpans([
      makeSpan({ service: "user", durationMs: 250, startMs: clock.now() - 1000 }),
      makeSpan({ service: "bad", durationMs: 250, startMs: clock.now() - 1000 }),
    ]);
    engine.addRule(rule("bad rule", "bad"));
    engine.addRule(rule("good rule", "user"));
    await engine.evaluate();
    const [bad, good] = engine.list();
    assert.equal(bad?.error, 'Evaluating "bad rule" failed: Value is too large');
    assert.equal(bad?.state, "ok");
    assert.equal(good?.error, null);
    assert.equal(good?.state, "firing");
    assert.equal(good?.value, 250);

    broken = false;
    await engine.evaluate();
    assert.equal(engine.list()[0]?.error, null, "the error clears once the rule evaluates");
    assert.equal(engine.list()[0]?.state, "firing");
  } finally {
    await engine.close();
    store.close();
  }
});

Deno.test("AlertEngine.close() ends a running evaluation at its next pause", async () => {
  const store = openTraceStore(":memory:");
  let scans = 0;
  let release!: () => void;
  const paused = new Promise<void>((resolve) => release = resolve);
  const engine = createAlertEngine({
    store: { operations: store.operations, scanSpans: (q) => (scans++, store.scanSpans(q)) },
    rules: [rule("a"), rule("b", "order")],
    maxRules: 10,
    intervalMs: 60_000,
    logger: createLogger({ service: "tracing", write: () => {} }),
    // The first pause waits until close() was called.
    pause: () => paused,
  });
  try {
    store.writeSpans([makeSpan({ service: "user" }), makeSpan({ service: "order" })]);
    const running = engine.evaluate();
    const closed = engine.close();
    release();
    await Promise.all([running, closed]);
    assert.equal(scans, 1, "no chunk is read after close()");
    assert.equal(engine.list()[0]?.evaluated_at, null);
  } finally {
    store.close();
  }
});
