import assert from "node:assert/strict";
import { catchConfigError } from "../lib/testing/config.ts";
import { loadConfig } from "./config.ts";

Deno.test("loadConfig() gives the order service's defaults", () => {
  const config = loadConfig({});
  assert.equal(config.service, "order");
  assert.equal(config.port, 3000);
  assert.equal(config.userServiceUrl, "http://127.0.0.1:3001");
  assert.equal(config.userServiceTimeoutMs, 2000);
  assert.equal(config.telemetry.serviceName, "order");
  assert.equal(config.telemetry.tracesEndpoint, "http://localhost:4318/v1/traces");
  assert.ok(Object.isFrozen(config));
});

Deno.test("loadConfig() reads USER_SERVICE_URL and USER_SERVICE_TIMEOUT_MS", () => {
  const config = loadConfig({
    USER_SERVICE_URL: "https://users.internal:8443",
    USER_SERVICE_TIMEOUT_MS: "250",
  });
  assert.equal(config.userServiceUrl, "https://users.internal:8443");
  assert.equal(config.userServiceTimeoutMs, 250);
});

Deno.test("loadConfig() lists every invalid variable", () => {
  const error = catchConfigError(() =>
    loadConfig({
      PORT: "70000",
      USER_SERVICE_URL: "user:3001",
      USER_SERVICE_TIMEOUT_MS: "0",
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
    })
  );
  assert.deepEqual([...error.problems].sort(), [
    'Invalid OTEL_EXPORTER_OTLP_PROTOCOL "grpc": expected one of http/protobuf, http/json',
    'Invalid PORT "70000": expected an integer from 0 to 65535',
    'Invalid USER_SERVICE_TIMEOUT_MS "0": expected an integer from 1 to 60000',
    'Invalid USER_SERVICE_URL "user:3001": expected an absolute http or https URL',
  ]);
});

Deno.test("loadConfig() rejects a malformed USER_SERVICE_URL", async (t) => {
  for (const value of ["not a url", "/users", "ftp://host", "http//missing-colon"]) {
    await t.step(value, () => {
      const error = catchConfigError(() => loadConfig({ USER_SERVICE_URL: value }));
      assert.deepEqual(error.problems, [
        `Invalid USER_SERVICE_URL "${value}": expected an absolute http or https URL`,
      ]);
    });
  }
  await t.step("masks a password in the message", () => {
    const error = catchConfigError(() => loadConfig({ USER_SERVICE_URL: "ftp://me:hunter2@host" }));
    assert.ok(!error.message.includes("hunter2"), error.message);
  });
});

Deno.test("loadConfig() reads the same database settings as user", () => {
  const config = loadConfig({ DATABASE_URL: "postgresql://db/shop", DATABASE_POOL_SIZE: "3" });
  assert.deepEqual(config.database, {
    url: "postgresql://db/shop",
    poolSize: 3,
    statementTimeoutMs: 5000,
  });
});
