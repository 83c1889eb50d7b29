import assert from "node:assert/strict";
import { catchConfigError } from "../lib/testing/config.ts";
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
  const error = catchConfigError(() =>
    loadConfig({ PORT: "abc", PUBLISH_TIMEOUT_MS: "0", LOAD_MAX_RUNS: "x" })
  );
  assert.equal(error.problems.length, 3);
  assert.match(
    error.problems.join("\n"),
    /Invalid PORT "abc": expected an integer/,
  );
});
