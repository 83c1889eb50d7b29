import assert from "node:assert/strict";
import { jsonInit } from "../../lib/testing/http.ts";
import { createTestService } from "../testing/test_deps.ts";
import { makeSpan } from "../testing/span_fixture.ts";

Deno.test("/api/v1/alerts lists rules, adds them and removes them by name", async (t) => {
  const service = createTestService();
  const { query } = service;
  try {
    await t.step("GET lists no alert at first", async () => {
      const response = await query.request("/api/v1/alerts");
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { alerts: [] });
    });
    await t.step("POST /rules adds a rule, named from its target when unnamed", async () => {
      const response = await query.request(
        "/api/v1/alerts/rules",
        jsonInit("POST", { service: "user", metric: "error_rate", threshold: 0.1 }),
      );
      assert.equal(response.status, 201);
      assert.deepEqual(await response.json(), {
        name: "user error_rate > 0.1",
        service: "user",
        metric: "error_rate",
        threshold: 0.1,
        windowMs: 60_000,
      });
      const { alerts } = await (await query.request("/api/v1/alerts")).json();
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0].rule.name, "user error_rate > 0.1");
      assert.equal(alerts[0].state, "ok");
      assert.equal(alerts[0].value, null);
    });
    await t.step("POST /rules rejects an invalid rule with 400 naming the field", async () => {
      const response = await query.request(
        "/api/v1/alerts/rules",
        jsonInit("POST", { service: "user", metric: "p42", threshold: 1 }),
      );
      assert.equal(response.status, 400);
      const { error } = await response.json();
      assert.equal(error.code, "invalid_request");
      assert.match(error.message, /"metric"/);
    });
    await t.step("POST /rules without a JSON content type is 415", async () => {
      const response = await query.request("/api/v1/alerts/rules", {
        method: "POST",
        body: "{}",
      });
      assert.equal(response.status, 415);
      await response.body?.cancel();
    });
    await t.step("DELETE /rules/:name removes the rule, then answers 404", async () => {
      const path = `/api/v1/alerts/rules/${encodeURIComponent("user error_rate > 0.1")}`;
      const removed = await query.request(path, { method: "DELETE" });
      assert.equal(removed.status, 204);
      await removed.body?.cancel();
      assert.deepEqual(await (await query.request("/api/v1/alerts")).json(), { alerts: [] });
      const again = await query.request(path, { method: "DELETE" });
      assert.equal(again.status, 404);
      assert.equal((await again.json()).error.code, "rule_not_found");
    });
  } finally {
    await service.close();
  }
});

Deno.test("/api/v1/alerts/rules refuses a taken name with 409, replaces on PUT and caps the count", async (t) => {
  const service = createTestService({ maxAlertRules: 2 });
  const { query } = service;
  const post = (body: Record<string, unknown>) =>
    query.request("/api/v1/alerts/rules", jsonInit("POST", body));
  const rule = { name: "slow", service: "user", metric: "p99", threshold: 100 };
  try {
    await t.step("POST of a taken name is 409 rule_exists and keeps the first", async () => {
      assert.equal((await post(rule)).status, 201);
      const again = await post({ ...rule, threshold: 1 });
      assert.equal(again.status, 409);
      const { error } = await again.json();
      assert.equal(error.code, "rule_exists");
      assert.match(error.message, /Alert rule "slow" already exists/);
      const { alerts } = await (await query.request("/api/v1/alerts")).json();
      assert.equal(alerts[0].rule.threshold, 100);
    });
    await t.step("PUT /rules/:name replaces (200) or creates (201)", async () => {
      const replaced = await query.request(
        "/api/v1/alerts/rules/slow",
        jsonInit("PUT", { service: "user", metric: "p95", threshold: 7 }),
      );
      assert.equal(replaced.status, 200);
      assert.equal((await replaced.json()).threshold, 7);
      const created = await query.request(
        "/api/v1/alerts/rules/errors",
        jsonInit("PUT", { service: "user", metric: "error_rate", threshold: 0.1 }),
      );
      assert.equal(created.status, 201);
      await created.body?.cancel();
      const { alerts } = await (await query.request("/api/v1/alerts")).json();
      assert.deepEqual(alerts.map((a: { rule: { name: string } }) => a.rule.name), [
        "slow",
        "errors",
      ]);
    });
    await t.step("PUT with another name in the body is 400", async () => {
      const response = await query.request(
        "/api/v1/alerts/rules/slow",
        jsonInit("PUT", { ...rule, name: "other" }),
      );
      assert.equal(response.status, 400);
      assert.match((await response.json()).error.message, /"other"/);
    });
    await t.step("a rule past ALERT_MAX_RULES is 422 too_many_rules", async () => {
      const response = await post({ ...rule, name: "third" });
      assert.equal(response.status, 422);
      assert.deepEqual(await response.json(), {
        error: {
          code: "too_many_rules",
          message: "Too many alert rules: the limit is 2 (ALERT_MAX_RULES); delete one first",
        },
      });
    });
  } finally {
    await service.close();
  }
});

Deno.test("a rule that cannot be evaluated shows its error in /api/v1/alerts and on /services", async () => {
  const service = createTestService({
    alertStore: (store) => ({
      operations: store.operations,
      scanSpans(query) {
        if (query.service === "bad") throw new RangeError("Value is too large");
        return store.scanSpans(query);
      },
    }),
  });
  const { query } = service;
  try {
    service.store.writeSpans([
      makeSpan({ service: "bad", startMs: Date.now() - 1000 }),
      makeSpan({ service: "good", startMs: Date.now() - 1000, durationMs: 500 }),
    ]);
    for (const target of ["bad", "good"]) {
      const created = await query.request(
        "/api/v1/alerts/rules",
        jsonInit("POST", { name: target, service: target, metric: "p99", threshold: 100 }),
      );
      assert.equal(created.status, 201);
      await created.body?.cancel();
    }
    await service.alerts.evaluate();
    const { alerts } = await (await query.request("/api/v1/alerts")).json();
    assert.equal(alerts[0].error, 'Evaluating "bad" failed: Value is too large');
    assert.equal(alerts[1].error, null);
    assert.equal(alerts[1].state, "firing");
    const page = await (await query.request("/services")).text();
    assert.ok(page.includes("Evaluating &quot;bad&quot; failed: Value is too large"), page);
  } finally {
    await service.close();
  }
});
