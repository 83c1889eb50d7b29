import assert from "node:assert/strict";
import { context, SeverityNumber, trace } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  InMemoryLogRecordExporter,
  type LogRecordExporter,
  SimpleLogRecordProcessor,
} from "@opentelemetry/sdk-logs";
import { createEnvReader } from "../config/env_reader.ts";
import { createLogger } from "../log.ts";
import { readTelemetryConfig } from "./config.ts";
import { logAttributes, LogShipper } from "./log_export.ts";
import { startTelemetry } from "./setup.ts";

function config(env: Record<string, string> = {}) {
  return readTelemetryConfig(createEnvReader(env), { serviceName: "svc", serviceVersion: "1.2.3" });
}

function quietLogger(lines: string[] = []) {
  return createLogger({ service: "svc", level: "debug", write: (line) => lines.push(line) });
}

Deno.test("startTelemetry() ships each log line as an OTLP record of the active span", async () => {
  const exporter = new InMemoryLogRecordExporter();
  const lines: string[] = [];
  const logger = quietLogger(lines);
  const telemetry = startTelemetry(config(), {
    logger,
    logProcessor: new SimpleLogRecordProcessor({ exporter }),
  });
  try {
    assert.equal(telemetry.mode, "sdk");
    const span = telemetry.tracer.startSpan("work");
    context.with(trace.setSpan(context.active(), span), () => {
      logger.warn("Order refused", { username: "ada", attempt: 2, ok: false, tags: ["a"] });
      logger.error("Lookup failed", { error: new TypeError("boom"), detail: { code: 7 } });
    });
    span.end();
    const records = exporter.getFinishedLogRecords();
    const refused = records.find((r) => r.body === "Order refused");
    assert.ok(refused, `records: ${records.map((r) => r.body).join(", ")}`);
    assert.equal(refused.spanContext?.traceId, span.spanContext().traceId);
    assert.equal(refused.spanContext?.spanId, span.spanContext().spanId);
    assert.equal(refused.spanContext?.traceFlags, span.spanContext().traceFlags);
    assert.equal(refused.severityNumber, SeverityNumber.WARN);
    assert.equal(refused.severityText, "WARN");
    assert.deepEqual(refused.attributes, { username: "ada", attempt: 2, ok: false, tags: ["a"] });
    assert.equal(refused.resource.attributes["service.name"], "svc");
    assert.equal(refused.resource.attributes["service.version"], "1.2.3");
    // The same instant as the JSON line's time.
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "Order refused");
    assert.equal(
      refused.hrTime[0] * 1000 + Math.round(refused.hrTime[1] / 1e6),
      Date.parse(line.time),
    );

    const failed = records.find((r) => r.body === "Lookup failed")!;
    assert.equal(failed.severityNumber, SeverityNumber.ERROR);
    assert.equal(failed.attributes["exception.type"], "TypeError");
    assert.equal(failed.attributes["exception.message"], "boom");
    assert.equal(typeof failed.attributes["exception.stacktrace"], "string");
    assert.equal(failed.attributes["detail"], '{"code":7}');
    assert.equal(telemetry.logStats?.()?.shed, 0);
  } finally {
    await telemetry.shutdown(1000);
  }
  const before = exporter.getFinishedLogRecords().length;
  logger.info("After shutdown");
  assert.equal(exporter.getFinishedLogRecords().length, before, "nothing ships after shutdown");
  assert.ok(lines.some((l) => JSON.parse(l).msg === "After shutdown"), "stdout still gets it");
});

Deno.test("startTelemetry() with OTEL_LOGS_EXPORTER=none writes lines only", async () => {
  const exporter = new InMemoryLogRecordExporter();
  const lines: string[] = [];
  const logger = quietLogger(lines);
  const telemetry = startTelemetry(config({ OTEL_LOGS_EXPORTER: "none" }), {
    logger,
    logProcessor: new SimpleLogRecordProcessor({ exporter }),
  });
  try {
    logger.info("Only on stdout");
    assert.equal(exporter.getFinishedLogRecords().length, 0);
    assert.equal(telemetry.logStats?.(), undefined);
    assert.ok(lines.some((l) => JSON.parse(l).msg === "Only on stdout"));
  } finally {
    await telemetry.shutdown(1000);
  }
});

Deno.test("LogShipper counts drops when the batch queue is full and then sheds", async () => {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => release = resolve);
  const exported: number[] = [];
  // An exporter whose endpoint takes its time: the first batch waits until released.
  const exporter: LogRecordExporter = {
    export: (records, done) => {
      held.then(() => {
        exported.push(records.length);
        done({ code: 0 });
      });
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
  const logs = config({
    OTEL_BLRP_MAX_QUEUE_SIZE: "4",
    OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: "2",
    OTEL_BLRP_SCHEDULE_DELAY: "60000",
  }).logs;
  const shipper = new LogShipper({
    config: logs,
    resource: resourceFromAttributes({ "service.name": "svc" }),
    scope: { name: "test", version: "1" },
    exporter,
  });
  const logger = quietLogger();
  logger.ship(shipper.sink);
  try {
    for (let i = 0; i < 10; i++) logger.info(`record ${i}`);
    const stats = shipper.stats();
    assert.equal(stats.queueCapacity, 4);
    // 4 queued; the batch processor's export of 2 at a time may have taken some off the queue.
    assert.ok(stats.dropped >= 1, JSON.stringify(stats));
    assert.ok(
      stats.shed >= 1,
      `the gate sheds once the queue overflowed: ${JSON.stringify(stats)}`,
    );
    // Every record is queued, dropped, shed, or in the one export under way (2 records).
    assert.ok([8, 10].includes(stats.dropped + stats.shed + stats.queued), JSON.stringify(stats));
    assert.equal(exported.length, 0);
  } finally {
    release();
    logger.ship(undefined);
    await shipper.shutdown();
  }
});

Deno.test("LogShipper sheds records while the collector is down, and logging goes on", async () => {
  // A port nothing listens on: every export fails at once with a refused connection.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  let nowMs = 1_000_000;
  const results: boolean[] = [];
  const shipper = new LogShipper({
    config: config({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      // The exporter retries a refused connection until its timeout: keep that short here.
      OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: "300",
      OTEL_BLRP_SCHEDULE_DELAY: "60000",
    }).logs,
    resource: resourceFromAttributes({ "service.name": "svc" }),
    scope: { name: "test", version: "1" },
    onExportResult: (result) => results.push(result.code === 0),
    now: () => nowMs,
  });
  const lines: string[] = [];
  const logger = quietLogger(lines);
  logger.ship(shipper.sink);
  try {
    logger.info("first");
    await shipper.forceFlush(5000).catch(() => {});
    assert.deepEqual(results, [false]);
    assert.equal(shipper.stats().exportFailed, 1);

    for (let i = 0; i < 50; i++) logger.info(`during the outage ${i}`);
    assert.equal(shipper.stats().shed, 50);
    assert.equal(shipper.stats().queued, 0, "nothing piles up for a dead collector");
    assert.equal(lines.length, 51, "every line still reached stdout");

    nowMs += 1000; // the gate's pause is over: one probe batch may go through
    logger.info("probe");
    assert.equal(shipper.stats().queued, 1);
  } finally {
    logger.ship(undefined);
    await shipper.shutdown().catch(() => {});
  }
});

Deno.test("logAttributes() keeps scalars and flat arrays, and writes the rest as JSON", () => {
  assert.deepEqual(
    logAttributes({
      s: "x",
      n: 1.5,
      b: true,
      big: 12n,
      nothing: null,
      missing: undefined,
      words: ["a", "b"],
      mixed: ["a", 1],
      nested: { a: [1] },
      error: new RangeError("bad"),
    }),
    {
      s: "x",
      n: 1.5,
      b: true,
      big: "12",
      words: ["a", "b"],
      mixed: '["a",1]',
      nested: '{"a":[1]}',
      error: "RangeError: bad",
    },
  );
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  assert.deepEqual(logAttributes({ circular }), { circular: "[unserializable]" });
  assert.deepEqual(logAttributes(undefined), {});
});

Deno.test("LogShipper sends OTLP/JSON with the logs exporter's own URL and headers", async () => {
  const received: { path: string; type: string; auth: string | null; body: unknown }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    received.push({
      path: new URL(req.url).pathname,
      type: req.headers.get("content-type") ?? "",
      auth: req.headers.get("authorization"),
      body: await req.json(),
    });
    return Response.json({});
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const shipper = new LogShipper({
    config: config({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${base}/custom/logs`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer shared",
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: "authorization=Bearer logs",
    }).logs,
    resource: resourceFromAttributes({ "service.name": "svc" }),
    scope: { name: "test", version: "1" },
  });
  const logger = quietLogger();
  logger.ship(shipper.sink);
  try {
    logger.info("Over JSON", { route: "/orders" });
    await shipper.forceFlush(5000);
    assert.equal(received.length, 1);
    const [request] = received as [typeof received[0]];
    assert.equal(request.path, "/custom/logs");
    assert.match(request.type, /application\/json/);
    assert.equal(request.auth, "Bearer logs");
    const text = JSON.stringify(request.body);
    assert.match(text, /"stringValue":"Over JSON"/);
    assert.match(text, /"key":"route"/);
    assert.equal(shipper.stats().exported, 1);
  } finally {
    logger.ship(undefined);
    await shipper.shutdown();
    await server.shutdown();
  }
});
