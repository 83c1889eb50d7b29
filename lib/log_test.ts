import assert from "node:assert/strict";
import { context, trace } from "@opentelemetry/api";
import { createLogger, isoTime, type LogEntry, type LogLevel } from "./log.ts";
import { createTestTelemetry } from "./testing/telemetry.ts";

function capture(level?: LogLevel) {
  const lines: { line: string; level: LogLevel }[] = [];
  const logger = createLogger({
    service: "svc",
    level,
    write: (line, lineLevel) => lines.push({ line, level: lineLevel }),
  });
  const records = () => lines.map(({ line }) => JSON.parse(line));
  return { logger, lines, records };
}

Deno.test("createLogger() writes one JSON object a line", () => {
  const { logger, lines, records } = capture();
  logger.info("Hello", { user: "ann", count: 2 });
  assert.equal(lines.length, 1);
  assert.ok(!lines[0]!.line.includes("\n"));
  const [record] = records();
  assert.equal(record.level, "info");
  assert.equal(record.service, "svc");
  assert.equal(record.msg, "Hello");
  assert.equal(record.user, "ann");
  assert.equal(record.count, 2);
  assert.ok(!Number.isNaN(Date.parse(record.time)), record.time);
  assert.equal(record.trace_id, undefined);
  assert.equal(record.span_id, undefined);
});

Deno.test("createLogger() adds trace_id and span_id inside an active span", () => {
  const { telemetry } = createTestTelemetry();
  const { logger, records } = capture();
  const span = telemetry.tracer.startSpan("work");
  context.with(trace.setSpan(context.active(), span), () => logger.info("Inside"));
  span.end();
  logger.info("Outside");
  const [inside, outside] = records();
  assert.equal(inside.trace_id, span.spanContext().traceId);
  assert.equal(inside.span_id, span.spanContext().spanId);
  assert.equal(outside.trace_id, undefined);
});

Deno.test("createLogger() filters by level", async (t) => {
  await t.step("info by default", () => {
    const { logger, records } = capture();
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    assert.deepEqual(records().map((r) => r.msg), ["i", "w", "e"]);
    assert.equal(logger.enabled("debug"), false);
    assert.equal(logger.enabled("info"), true);
  });
  await t.step("warn keeps warn and error", () => {
    const { logger, records, lines } = capture("warn");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    assert.deepEqual(records().map((r) => r.msg), ["w", "e"]);
    assert.deepEqual(lines.map((l) => l.level), ["warn", "error"]);
  });
  await t.step("debug keeps everything", () => {
    const { logger, records } = capture("debug");
    logger.debug("d");
    assert.deepEqual(records().map((r) => r.level), ["debug"]);
  });
});

Deno.test("createLogger() serializes errors, their causes and bigints", () => {
  const { logger, records } = capture();
  const error = new TypeError("outer", { cause: new Error("inner") });
  logger.error("Failed", { error, big: 12n });
  const [record] = records();
  assert.equal(record.error.name, "TypeError");
  assert.equal(record.error.message, "outer");
  assert.match(record.error.stack, /TypeError: outer/);
  assert.equal(record.error.cause.message, "inner");
  assert.equal(record.big, "12");
});

Deno.test("createLogger() still writes a line for unserializable fields", () => {
  const { logger, records } = capture();
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  logger.warn("Odd", { circular });
  const [record] = records();
  assert.equal(record.msg, "Odd");
  assert.equal(record.level, "warn");
  assert.equal(record.service, "svc");
  assert.equal(record.fields, "[unserializable]");
});

Deno.test("Logger.ship() hands each written record to the sink in the caller's span", () => {
  const { telemetry } = createTestTelemetry();
  const { logger, records } = capture("info");
  const entries: { entry: LogEntry; spanId: string | undefined }[] = [];
  logger.ship((entry) =>
    entries.push({ entry, spanId: trace.getActiveSpan()?.spanContext().spanId })
  );
  const span = telemetry.tracer.startSpan("work");
  context.with(trace.setSpan(context.active(), span), () => logger.warn("Inside", { n: 1 }));
  span.end();
  logger.debug("Below the level");
  assert.equal(entries.length, 1, "a record below LOG_LEVEL reaches neither stdout nor the sink");
  const [{ entry, spanId }] = entries as [typeof entries[0]];
  assert.equal(spanId, span.spanContext().spanId);
  assert.equal(entry.level, "warn");
  assert.equal(entry.msg, "Inside");
  assert.deepEqual(entry.fields, { n: 1 });
  assert.equal(entry.timeMs, Date.parse(records()[0].time));

  logger.ship(undefined);
  logger.info("Not shipped");
  assert.equal(entries.length, 1);
});

Deno.test("Logger.ship() keeps the line when the sink throws", () => {
  const { logger, records } = capture();
  logger.ship(() => {
    throw new Error("exporter broke");
  });
  logger.info("Still written");
  assert.deepEqual(records().map((r) => r.msg), ["Still written"]);
});

Deno.test("createLogger() in the pretty format writes one short coloured line", () => {
  const { telemetry } = createTestTelemetry();
  const lines: string[] = [];
  const logger = createLogger({
    service: "order",
    format: "pretty",
    write: (line) => lines.push(line),
  });
  const span = telemetry.tracer.startSpan("work");
  context.with(
    trace.setSpan(context.active(), span),
    () =>
      logger.warn("Unknown user; order refused", {
        username: "ada lovelace",
        order_id: 7,
        error: new TypeError("boom"),
        nested: { a: 1 },
      }),
  );
  span.end();
  logger.info("Line\nbreak\x1b[2J");
  const [line, second] = lines as [string, string];
  // deno-lint-ignore no-control-regex -- stripping the colour codes
  const plain = line.replace(/\x1b\[[0-9;]*m/g, "");
  assert.match(
    plain,
    /^\d\d:\d\d:\d\d\.\d{3} WARN {2}order Unknown user; order refused username="ada lovelace" order_id=7 error="TypeError: boom" nested=\{"a":1\} trace=[0-9a-f]{8}$/,
  );
  assert.ok(plain.endsWith(`trace=${span.spanContext().traceId.slice(0, 8)}`));
  assert.ok(line.includes("\x1b[33mWARN"), "warn in yellow");
  assert.ok(!second.includes("\n") && !second.includes("\x1b[2J"), "no control characters");
});

Deno.test("isoTime() writes what Date.prototype.toISOString writes", () => {
  const samples = [
    0,
    1,
    999,
    1000,
    Date.UTC(2026, 11, 31, 23, 59, 59, 999),
    Date.UTC(2027, 0, 1, 0, 0, 0, 0),
    Date.UTC(2026, 1, 28, 12, 0, 0, 7),
    Date.UTC(2026, 1, 28, 12, 0, 0, 70),
    Date.UTC(10_000, 0, 1, 0, 0, 0, 5),
    -1,
    -62_198_755_200_001,
  ];
  let ms = Date.UTC(2026, 5, 1);
  for (let i = 0; i < 5000; i++) samples.push(ms += (i * 7919) % 1500);
  for (const sample of samples) assert.equal(isoTime(sample), new Date(sample).toISOString());
});
