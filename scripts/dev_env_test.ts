import assert from "node:assert/strict";
import { devEnv, parsePortOffset } from "./dev_env.ts";

Deno.test("devEnv() names the service and asks for pretty logs, unless the environment says otherwise", () => {
  assert.deepEqual(devEnv("user", {}, 0), { OTEL_SERVICE_NAME: "user", LOG_FORMAT: "pretty" });
  assert.deepEqual(devEnv("user", { LOG_FORMAT: "json", OTEL_SERVICE_NAME: "u" }, 0), {});
});

Deno.test("devEnv() moves every port by DEV_PORT_OFFSET, and the addresses that reach them", async (t) => {
  await t.step("tracing: both ports", () => {
    const env = devEnv("tracing", {}, 100);
    assert.equal(env.PORT, "16786");
    assert.equal(env.OTLP_PORT, "4418");
    assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, "http://localhost:4418");
  });
  await t.step("order: its port and user's", () => {
    const env = devEnv("order", {}, 100);
    assert.equal(env.PORT, "3100");
    assert.equal(env.USER_SERVICE_URL, "http://127.0.0.1:3101");
    assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, "http://localhost:4418");
  });
  await t.step("what the environment sets wins", () => {
    const env = devEnv("order", { USER_SERVICE_URL: "http://user.internal:3001" }, 100);
    assert.equal(env.USER_SERVICE_URL, undefined);
  });
});

Deno.test("parsePortOffset() takes an integer that keeps every port valid", () => {
  assert.equal(parsePortOffset(undefined), 0);
  assert.equal(parsePortOffset("20000"), 20000);
  for (const bad of ["-1", "1.5", "abc", "48850"]) {
    assert.throws(
      () => parsePortOffset(bad),
      new Error(`Invalid DEV_PORT_OFFSET "${bad}": expected an integer from 0 to 48849`),
    );
  }
});
