import assert from "node:assert/strict";
import { SpanKind } from "@opentelemetry/api";
import { createLogger, type LogLevel } from "../log.ts";
import { createTestTelemetry } from "../testing/telemetry.ts";
import { createServiceApp } from "./service_app.ts";

function serviceApp(level: LogLevel = "info") {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: "svc",
    level,
    write: (line) => lines.push(JSON.parse(line)),
  });
  const { telemetry, exporter } = createTestTelemetry();
  const { app } = createServiceApp({ service: "svc", logger, telemetry, maxBodyBytes: 1024 });
  app.get("/things/:id", (c) => c.json({ id: c.req.param("id") }));
  return { app, lines, exporter };
}

Deno.test("every request logs one info line under its SERVER span", async () => {
  const { app, lines, exporter } = serviceApp();
  assert.equal((await app.request("/things/42")).status, 200);
  assert.equal((await app.request("/nowhere")).status, 404);
  const requests = lines.filter((line) => line.msg === "Request handled");
  assert.equal(requests.length, 2);
  const [found, missing] = requests as [Record<string, unknown>, Record<string, unknown>];
  assert.equal(found.level, "info");
  assert.equal(found.method, "GET");
  assert.equal(found.route, "/things/:id");
  assert.equal(found.status, 200);
  assert.equal(typeof found.duration_ms, "number");
  const server = exporter.getFinishedSpans()
    .find((span) => span.kind === SpanKind.SERVER && span.name === "GET /things/:id");
  assert.ok(server);
  assert.equal(found.trace_id, server.spanContext().traceId);
  assert.equal(found.span_id, server.spanContext().spanId);
  assert.equal(missing.status, 404);
  assert.equal(missing.route, "/nowhere");
});

Deno.test("probes and scrapes are not logged, nor requests below LOG_LEVEL", async () => {
  const quiet = serviceApp();
  for (const path of ["/health", "/ready", "/metrics"]) await quiet.app.request(path);
  assert.equal(quiet.lines.filter((line) => line.msg === "Request handled").length, 0);
  const warn = serviceApp("warn");
  await warn.app.request("/things/1");
  assert.equal(warn.lines.length, 0);
});
