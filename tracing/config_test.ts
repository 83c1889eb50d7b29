import assert from "node:assert/strict";
import { catchConfigError } from "../lib/testing/config.ts";
import { loadConfig } from "./config.ts";

Deno.test("loadConfig() gives the documented defaults", () => {
  const config = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318" });
  assert.equal(config.port, 16686);
  assert.equal(config.otlpPort, 4318);
  assert.equal(config.telemetry.serviceName, "tracing");
  assert.equal(config.sampling.ratio, 1);
  assert.equal(config.sampling.maxTracesPerSecond, 0);
  assert.ok(config.sampling.decisionWaitMs <= 5000);
  assert.equal(config.telemetry.disabled, false);
  assert.deepEqual(config.forward.endpoints, []);
});

Deno.test("loadConfig() turns off self-export when the OTLP endpoint is this service", async (t) => {
  await t.step("default endpoint and default port", () => {
    const config = loadConfig({});
    assert.equal(config.telemetry.disabled, true);
    assert.match(config.selfExportDisabledReason ?? "", /own OTLP port/);
  });
  await t.step("log records aimed at this service are not shipped, spans still go out", () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318",
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "http://127.0.0.1:4318/v1/logs",
    });
    assert.equal(config.telemetry.disabled, false);
    assert.equal(config.telemetry.logs.enabled, false);
    const elsewhere = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318" });
    assert.equal(elsewhere.telemetry.logs.enabled, true);
  });
  await t.step("OTEL_DENO with a self endpoint is refused", () => {
    assert.throws(() => loadConfig({ OTEL_DENO: "true" }), /OTEL_DENO/);
  });
});

Deno.test("loadConfig() lists every invalid variable", () => {
  const error = catchConfigError(() =>
    loadConfig({
      OTLP_PORT: "abc",
      SAMPLING_RATIO: "2",
      FORWARD_ENDPOINTS: "ftp://x",
      ALERT_RULES: "[{}]",
    })
  );
  assert.equal(error.problems.length, 4);
  assert.match(error.message, /Invalid OTLP_PORT "abc"/);
  assert.match(error.message, /Invalid SAMPLING_RATIO "2"/);
});

Deno.test("loadConfig() accepts PORT=0 and OTLP_PORT=0 for free ports", () => {
  const config = loadConfig({ PORT: "0", OTLP_PORT: "0" });
  assert.equal(config.port, 0);
  assert.equal(config.otlpPort, 0);
});

Deno.test("loadConfig() reads the ingest safety settings", async (t) => {
  await t.step("defaults", () => {
    const config = loadConfig({});
    assert.equal(config.otlpMaxInflightBytes, 64 * 1024 * 1024);
    assert.equal(config.ingestToken, undefined);
    assert.equal(config.queryToken, undefined);
    assert.deepEqual(config.wal, { enabled: true, sync: false });
  });
  await t.step("set", () => {
    const config = loadConfig({
      INGEST_TOKEN: "w-1",
      QUERY_TOKEN: "r.2",
      OTLP_MAX_BODY_BYTES: "1048576",
      OTLP_MAX_INFLIGHT_BYTES: "2097152",
      WAL_ENABLED: "false",
      WAL_SYNC: "true",
    });
    assert.equal(config.ingestToken, "w-1");
    assert.equal(config.queryToken, "r.2");
    assert.equal(config.otlpMaxInflightBytes, 2 * 1024 * 1024);
    assert.deepEqual(config.wal, { enabled: false, sync: true });
  });
  await t.step("a budget smaller than two bodies and a token with spaces are refused", () => {
    const error = catchConfigError(() =>
      loadConfig({
        OTLP_MAX_BODY_BYTES: "1048576",
        OTLP_MAX_INFLIGHT_BYTES: "1048576",
        QUERY_TOKEN: "two words",
      })
    );
    assert.equal(error.problems.length, 2);
    assert.match(
      error.message,
      /Invalid OTLP_MAX_INFLIGHT_BYTES "1048576": expected at least twice/,
    );
    assert.match(error.message, /Invalid QUERY_TOKEN "\*\*\*": expected visible ASCII/);
    assert.doesNotMatch(error.message, /two words/);
  });
});

Deno.test("loadConfig() holds ALERT_RULES to ALERT_MAX_RULES and to one rule per name", () => {
  const rule = (name: string) => ({ name, service: "user", metric: "p99", threshold: 1 });
  assert.equal(loadConfig({}).alerts.maxRules, 200);
  const over = catchConfigError(() =>
    loadConfig({
      ALERT_MAX_RULES: "1",
      ALERT_RULES: JSON.stringify([rule("a"), rule("b")]),
    })
  );
  assert.match(over.message, /Invalid ALERT_MAX_RULES "1": expected at least the 2 rules/);
  const twice = catchConfigError(() =>
    loadConfig({ ALERT_RULES: JSON.stringify([rule("a"), rule("a")]) })
  );
  assert.match(twice.message, /Invalid ALERT_RULES .*each name once \(twice: "a"\)/);
});
