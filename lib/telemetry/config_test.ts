import assert from "node:assert/strict";
import { createEnvReader, type Env } from "../config/env_reader.ts";
import { catchConfigError } from "../testing/config.ts";
import { readTelemetryConfig, type TelemetryConfig, telemetryVariables } from "./config.ts";

const DEFAULTS = { serviceName: "svc", serviceVersion: "1.2.3" };

function load(env: Env): TelemetryConfig {
  const read = createEnvReader(env);
  const config = readTelemetryConfig(read, DEFAULTS);
  read.assertValid();
  return config;
}

function problems(env: Env): readonly string[] {
  return catchConfigError(() => load(env)).problems;
}

Deno.test("readTelemetryConfig() defaults follow the OpenTelemetry specification", () => {
  const config = load({});
  assert.equal(config.serviceName, "svc");
  assert.equal(config.serviceVersion, "1.2.3");
  assert.equal(config.tracesEndpoint, "http://localhost:4318/v1/traces");
  assert.equal(config.protocol, "http/protobuf");
  assert.equal(config.sampler, "parentbased_always_on");
  assert.equal(config.samplerArg, 1);
  assert.equal(config.disabled, false);
  assert.equal(config.denoBuiltin, false);
  assert.equal(config.exportTimeoutMs, 10_000);
  assert.deepEqual(config.headers, {});
  assert.deepEqual(config.resourceAttributes, {});
  assert.deepEqual(config.batch, {
    maxQueueSize: 8192,
    maxExportBatchSize: 512,
    scheduledDelayMs: 1000,
  });
  assert.ok(Object.isFrozen(config));
});

Deno.test("readTelemetryConfig() builds the traces endpoint", async (t) => {
  await t.step("appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT", () => {
    const config = load({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" });
    assert.equal(config.tracesEndpoint, "http://collector:4318/v1/traces");
  });
  await t.step("does not double a trailing slash", () => {
    const config = load({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/base/" });
    assert.equal(config.tracesEndpoint, "http://collector:4318/base/v1/traces");
  });
  await t.step("uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as-is", () => {
    const config = load({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://ignored:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example/custom",
    });
    assert.equal(config.tracesEndpoint, "https://traces.example/custom");
  });
  await t.step("rejects malformed endpoints, naming both variables", () => {
    assert.deepEqual(
      problems({
        OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "grpc://x",
      }),
      [
        'Invalid OTEL_EXPORTER_OTLP_ENDPOINT "collector:4318": expected an absolute http or https URL',
        'Invalid OTEL_EXPORTER_OTLP_TRACES_ENDPOINT "grpc://x": expected an absolute http or https URL',
      ],
    );
  });
});

Deno.test("readTelemetryConfig() reads the OTLP protocol", async (t) => {
  await t.step("accepts http/json", () => {
    assert.equal(load({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }).protocol, "http/json");
  });
  await t.step("accepts http/protobuf", () => {
    assert.equal(
      load({ OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" }).protocol,
      "http/protobuf",
    );
  });
  await t.step("prefers OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", () => {
    const config = load({
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
    });
    assert.equal(config.protocol, "http/json");
  });
  await t.step("rejects grpc", () => {
    assert.deepEqual(problems({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }), [
      'Invalid OTEL_EXPORTER_OTLP_PROTOCOL "grpc": expected one of http/protobuf, http/json',
    ]);
  });
});

Deno.test("readTelemetryConfig() reads OTLP_SERIALIZER", async (t) => {
  await t.step("defaults to our encoder", () => {
    assert.equal(load({}).serializer, "fast");
  });
  await t.step("selects the official one", () => {
    assert.equal(load({ OTLP_SERIALIZER: "official" }).serializer, "official");
  });
  await t.step("rejects an unknown name", () => {
    assert.deepEqual(problems({ OTLP_SERIALIZER: "protobufjs" }), [
      'Invalid OTLP_SERIALIZER "protobufjs": expected one of fast, official',
    ]);
  });
});

Deno.test("readTelemetryConfig() reads the sampler and its argument", async (t) => {
  for (
    const name of [
      "always_on",
      "always_off",
      "traceidratio",
      "parentbased_always_on",
      "parentbased_always_off",
      "parentbased_traceidratio",
    ]
  ) {
    await t.step(`accepts ${name}`, () => {
      assert.equal(load({ OTEL_TRACES_SAMPLER: name }).sampler, name);
    });
  }
  await t.step("rejects an unknown sampler", () => {
    const [problem] = problems({ OTEL_TRACES_SAMPLER: "jaeger_remote" });
    assert.match(problem ?? "", /^Invalid OTEL_TRACES_SAMPLER "jaeger_remote": expected one of /);
  });
  await t.step("reads the ratio of traceidratio", () => {
    const config = load({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" });
    assert.equal(config.samplerArg, 0.25);
  });
  await t.step("rejects a ratio out of range", async (t) => {
    for (const arg of ["1.5", "-0.1", "half"]) {
      await t.step(arg, () => {
        assert.deepEqual(
          problems({
            OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
            OTEL_TRACES_SAMPLER_ARG: arg,
          }),
          [`Invalid OTEL_TRACES_SAMPLER_ARG "${arg}": expected a number from 0 to 1`],
        );
      });
    }
  });
  await t.step("ignores the argument of samplers that take none", () => {
    const config = load({ OTEL_TRACES_SAMPLER: "always_on", OTEL_TRACES_SAMPLER_ARG: "7" });
    assert.equal(config.samplerArg, 1);
  });
});

Deno.test("readTelemetryConfig() parses OTLP headers", async (t) => {
  await t.step("reads a list and percent-decodes values", () => {
    const config = load({
      OTEL_EXPORTER_OTLP_HEADERS: "api-key=abc%3D%3D, x-tenant = a b ,",
    });
    assert.deepEqual(config.headers, { "api-key": "abc==", "x-tenant": "a b" });
  });
  await t.step("lets the traces headers override the general ones", () => {
    const config = load({
      OTEL_EXPORTER_OTLP_HEADERS: "a=1,b=2",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "b=3",
    });
    assert.deepEqual(config.headers, { a: "1", b: "3" });
  });
  await t.step("rejects malformed lists", async (t) => {
    for (const value of ["novalue", "=x", "a=%E0%A4%A", "a=1,broken"]) {
      await t.step(value, () => {
        assert.deepEqual(problems({ OTEL_EXPORTER_OTLP_HEADERS: value }), [
          `Invalid OTEL_EXPORTER_OTLP_HEADERS "${value}": expected a comma-separated list of key=value pairs`,
        ]);
      });
    }
  });
});

Deno.test("readTelemetryConfig() parses resource attributes", async (t) => {
  await t.step("reads a percent-encoded list", () => {
    const config = load({
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=dev,team=a%2Cb,note=x%20y",
    });
    assert.deepEqual(config.resourceAttributes, {
      "deployment.environment.name": "dev",
      team: "a,b",
      note: "x y",
    });
  });
  await t.step("takes service.name from the attributes when OTEL_SERVICE_NAME is unset", () => {
    assert.equal(
      load({ OTEL_RESOURCE_ATTRIBUTES: "service.name=fromattr" }).serviceName,
      "fromattr",
    );
  });
  await t.step("says whether the name was set or defaulted", () => {
    assert.equal(load({}).serviceNameSet, false);
    assert.equal(load({ OTEL_SERVICE_NAME: "x" }).serviceNameSet, true);
    assert.equal(load({ OTEL_RESOURCE_ATTRIBUTES: "service.name=y" }).serviceNameSet, true);
  });
  await t.step("prefers OTEL_SERVICE_NAME over service.name in the attributes", () => {
    const config = load({
      OTEL_SERVICE_NAME: "fromvar",
      OTEL_RESOURCE_ATTRIBUTES: "service.name=fromattr",
    });
    assert.equal(config.serviceName, "fromvar");
  });
  await t.step("rejects a malformed list", () => {
    assert.deepEqual(problems({ OTEL_RESOURCE_ATTRIBUTES: "a=1,b" }), [
      'Invalid OTEL_RESOURCE_ATTRIBUTES "a=1,b": expected a comma-separated list of key=value pairs',
    ]);
  });
});

Deno.test("readTelemetryConfig() reads the batch limits", async (t) => {
  await t.step("reads OTEL_BSP_* values", () => {
    const config = load({
      OTEL_BSP_MAX_QUEUE_SIZE: "100",
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "10",
      OTEL_BSP_SCHEDULE_DELAY: "0",
    });
    assert.deepEqual(config.batch, {
      maxQueueSize: 100,
      maxExportBatchSize: 10,
      scheduledDelayMs: 0,
    });
  });
  await t.step("rejects a batch larger than the queue", () => {
    assert.deepEqual(
      problems({ OTEL_BSP_MAX_QUEUE_SIZE: "10", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "20" }),
      ['Invalid OTEL_BSP_MAX_EXPORT_BATCH_SIZE "20": expected at most OTEL_BSP_MAX_QUEUE_SIZE (10)'],
    );
  });
  await t.step("rejects a zero queue", () => {
    assert.deepEqual(
      problems({ OTEL_BSP_MAX_QUEUE_SIZE: "0", OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "1" }),
      [
        'Invalid OTEL_BSP_MAX_QUEUE_SIZE "0": expected an integer from 1 to 1000000',
      ],
    );
  });
});

Deno.test("readTelemetryConfig() reads switches and timeouts", async (t) => {
  await t.step("reads OTEL_SDK_DISABLED and OTEL_DENO", () => {
    const config = load({ OTEL_SDK_DISABLED: "true", OTEL_DENO: "1" });
    assert.equal(config.disabled, true);
    assert.equal(config.denoBuiltin, true);
  });
  await t.step("prefers the traces export timeout", () => {
    assert.equal(load({ OTEL_EXPORTER_OTLP_TIMEOUT: "500" }).exportTimeoutMs, 500);
    assert.equal(
      load({ OTEL_EXPORTER_OTLP_TIMEOUT: "500", OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "700" })
        .exportTimeoutMs,
      700,
    );
  });
});

Deno.test("readTelemetryConfig() lists every bad OTEL variable together", () => {
  const found = problems({
    OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
    OTEL_TRACES_SAMPLER: "traceidratio",
    OTEL_TRACES_SAMPLER_ARG: "2",
    OTEL_SDK_DISABLED: "maybe",
    OTEL_EXPORTER_OTLP_HEADERS: "x",
  });
  assert.deepEqual(
    found.map((problem) => problem.split(" ")[1]).sort(),
    [
      "OTEL_EXPORTER_OTLP_HEADERS",
      "OTEL_EXPORTER_OTLP_PROTOCOL",
      "OTEL_SDK_DISABLED",
      "OTEL_TRACES_SAMPLER_ARG",
    ],
  );
});

Deno.test("readTelemetryConfig() reads the logs exporter's settings", async (t) => {
  await t.step("ships to <base>/v1/logs with the shared settings by default", () => {
    const { logs } = load({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_HEADERS: "a=1",
      OTEL_EXPORTER_OTLP_TIMEOUT: "500",
    });
    assert.deepEqual(logs, {
      enabled: true,
      endpoint: "http://collector:4318/v1/logs",
      protocol: "http/json",
      headers: { a: "1" },
      exportTimeoutMs: 500,
      batch: { maxQueueSize: 8192, maxExportBatchSize: 512, scheduledDelayMs: 1000 },
    });
  });
  await t.step("OTEL_EXPORTER_OTLP_LOGS_* and OTEL_BLRP_* win for logs only", () => {
    const config = load({
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "http://logs:9000/in",
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_HEADERS: "a=1,b=2",
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: "b=3",
      OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: "700",
      OTEL_BLRP_MAX_QUEUE_SIZE: "100",
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: "10",
      OTEL_BLRP_SCHEDULE_DELAY: "50",
    });
    assert.equal(config.logs.endpoint, "http://logs:9000/in");
    assert.equal(config.logs.protocol, "http/json");
    assert.deepEqual(config.logs.headers, { a: "1", b: "3" });
    assert.equal(config.logs.exportTimeoutMs, 700);
    assert.deepEqual(config.logs.batch, {
      maxQueueSize: 100,
      maxExportBatchSize: 10,
      scheduledDelayMs: 50,
    });
    // The traces exporter keeps the shared values.
    assert.equal(config.protocol, "http/protobuf");
    assert.deepEqual(config.headers, { a: "1", b: "2" });
    assert.equal(config.exportTimeoutMs, 10_000);
    assert.equal(config.batch.maxQueueSize, 8192);
  });
  await t.step("OTEL_LOGS_EXPORTER=none turns shipping off", () => {
    assert.equal(load({ OTEL_LOGS_EXPORTER: "none" }).logs.enabled, false);
  });
  await t.step("bad values are listed with the rest", () => {
    assert.deepEqual(
      problems({
        OTEL_LOGS_EXPORTER: "console",
        OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "grpc",
        OTEL_BLRP_MAX_QUEUE_SIZE: "10",
        OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: "20",
      }).map((problem) => problem.split(" ")[1]).sort(),
      ["OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "OTEL_LOGS_EXPORTER"],
    );
  });
  await t.step("a bad shared value both signals fall back to is reported once", () => {
    assert.deepEqual(
      problems({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc", OTEL_EXPORTER_OTLP_HEADERS: "x" })
        .map((problem) => problem.split(" ")[1]),
      ["OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS"],
    );
  });
  await t.step("the logs headers are masked in the start-up log, as the shared ones", () => {
    const v = telemetryVariables("svc");
    assert.equal(v.OTEL_EXPORTER_OTLP_LOGS_HEADERS.secret, true);
    assert.equal(v.OTEL_EXPORTER_OTLP_HEADERS.secret, true);
  });
});
