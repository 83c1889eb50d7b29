import assert from "node:assert/strict";
import { ConfigError } from "../lib/config.ts";
import { loadConfig } from "./config.ts";

Deno.test("loadConfig() gives the producer's defaults", () => {
  const config = loadConfig({});
  assert.equal(config.port, 8085);
  assert.equal(config.telemetry.serviceName, "producer");
  assert.equal(config.amqp.queue, "messages");
  assert.equal(config.amqp.publishTimeoutMs, 5000);
  assert.equal(config.loadMaxRuns, 4);
});

Deno.test("loadConfig() lists every invalid variable", () => {
  const error = configError(() =>
    loadConfig({ PORT: "abc", PUBLISH_TIMEOUT_MS: "0", LOAD_MAX_RUNS: "x" })
  );
  assert.equal(error.problems.length, 3);
  assert.match(
    error.problems.join("\n"),
    /Invalid PORT "abc": expected an integer/,
  );
});

function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("loadConfig() accepted invalid variables");
}
