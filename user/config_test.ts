import assert from "node:assert/strict";
import { catchConfigError } from "../lib/testing/config.ts";
import { loadConfig } from "./config.ts";

Deno.test("loadConfig() gives the user service's defaults", () => {
  const config = loadConfig({});
  assert.equal(config.service, "user");
  assert.equal(config.port, 3001);
  assert.equal(config.hostname, "0.0.0.0");
  assert.equal(config.dataDir, "./data");
  assert.equal(config.logLevel, "info");
  assert.equal(config.maxBodyBytes, 65536);
  assert.equal(config.shutdownTimeoutMs, 10_000);
  assert.equal(config.telemetry.serviceName, "user");
  assert.ok(Object.isFrozen(config));
});

Deno.test("loadConfig() reads the shared variables", () => {
  const config = loadConfig({
    PORT: "4001",
    HOST: "127.0.0.1",
    DATA_DIR: "/tmp/x",
    LOG_LEVEL: "DEBUG",
    MAX_BODY_BYTES: "1024",
    SHUTDOWN_TIMEOUT_MS: "500",
    OTEL_SERVICE_NAME: "user-eu",
  });
  assert.equal(config.port, 4001);
  assert.equal(config.hostname, "127.0.0.1");
  assert.equal(config.dataDir, "/tmp/x");
  assert.equal(config.logLevel, "debug");
  assert.equal(config.maxBodyBytes, 1024);
  assert.equal(config.shutdownTimeoutMs, 500);
  assert.equal(config.service, "user");
  assert.equal(config.telemetry.serviceName, "user-eu");
});

Deno.test("loadConfig() lists every invalid variable", () => {
  const error = catchConfigError(() =>
    loadConfig({
      PORT: "abc",
      LOG_LEVEL: "loud",
      MAX_BODY_BYTES: "0",
      OTEL_TRACES_SAMPLER: "traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "1.5",
    })
  );
  assert.deepEqual([...error.problems].sort(), [
    'Invalid LOG_LEVEL "loud": expected one of debug, info, warn, error',
    'Invalid MAX_BODY_BYTES "0": expected an integer from 1 to 67108864',
    'Invalid OTEL_TRACES_SAMPLER_ARG "1.5": expected a number from 0 to 1',
    'Invalid PORT "abc": expected an integer from 0 to 65535',
  ]);
  assert.match(error.message, /^Invalid configuration:\n {2}Invalid /);
});

Deno.test("loadConfig() reads the database settings, SQLite when DATABASE_URL is unset", () => {
  const defaults = loadConfig({}).database;
  assert.deepEqual(defaults, { poolSize: 10, statementTimeoutMs: 5000 });
  const config = loadConfig({
    DATABASE_URL: "postgres://app:pw@db:5432/shop",
    DATABASE_POOL_SIZE: "4",
    DATABASE_STATEMENT_TIMEOUT_MS: "250",
  });
  assert.deepEqual(config.database, {
    url: "postgres://app:pw@db:5432/shop",
    poolSize: 4,
    statementTimeoutMs: 250,
  });
});

Deno.test("loadConfig() lists invalid database settings with the password masked", () => {
  const error = catchConfigError(() =>
    loadConfig({
      DATABASE_URL: "mysql://app:pw@db/shop",
      DATABASE_POOL_SIZE: "0",
      DATABASE_STATEMENT_TIMEOUT_MS: "soon",
    })
  );
  assert.deepEqual([...error.problems].sort(), [
    'Invalid DATABASE_POOL_SIZE "0": expected an integer from 1 to 1000',
    'Invalid DATABASE_STATEMENT_TIMEOUT_MS "soon": expected an integer from 1 to 3600000',
    'Invalid DATABASE_URL "mysql://app:***@db/shop": expected an absolute postgres or postgresql URL',
  ]);
});

Deno.test("loadConfig() reads FAULTS into the faults switched on at start", async (t) => {
  await t.step("valid", () => {
    const config = loadConfig({ FAULTS: "slow_query:delay_ms=40;pool_of_one", FAULTS_TOKEN: "x" });
    assert.deepEqual(Object.fromEntries(config.faults.initial), {
      slow_query: { enabled: true, delay_ms: 40, jitter_ms: 30 },
      pool_of_one: { enabled: true },
    });
    assert.equal(config.faults.token, "x");
  });
  await t.step("an unknown fault and a bad parameter, in one message", () => {
    const error = catchConfigError(() => loadConfig({ FAULTS: "slow_disk;pool_of_one:rate=1" }));
    assert.equal(error.problems.length, 1);
    assert.match(
      error.problems[0]!,
      /^Invalid FAULTS "slow_disk;pool_of_one:rate=1": expected ";"-separated name or name:param=value,\.\.\. entries; unknown fault "slow_disk" \(known: slow_query, pool_of_one\); Invalid change of fault "pool_of_one": /,
    );
  });
});
