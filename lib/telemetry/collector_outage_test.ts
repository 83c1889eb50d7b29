/**
 * A collector outage seen by one process, with the real OTLP/HTTP exporter and a collector that
 * answers 503 while "down": the flags this process sends on do not change, only its own spans
 * are shed (and counted), and recording resumes once a probe finds the collector back.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { createEnvReader } from "../config/env_reader.ts";
import { createLogger } from "../log.ts";
import { startOtlpSink } from "../testing/otlp_sink.ts";
import { waitFor } from "../testing/wait.ts";
import { readTelemetryConfig } from "./config.ts";
import { httpServerTracing } from "./server_middleware.ts";
import { startTelemetry } from "./setup.ts";
import { createTracedFetch } from "./traced_fetch.ts";

const CALLER = "00-12345678901234567890123456789012-1234567890123456";

Deno.test("a collector outage changes no flag sent downstream, and recording resumes after it", async () => {
  const sink = startOtlpSink();
  const received: string[] = [];
  const downstream = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    received.push(req.headers.get("traceparent") ?? "");
    return new Response("ok");
  });
  const config = readTelemetryConfig(
    createEnvReader({
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_TIMEOUT: "1000",
      OTEL_BSP_SCHEDULE_DELAY: "10",
    }),
    { serviceName: "outage", serviceVersion: "1" },
  );
  const telemetry = startTelemetry(config, {
    logger: createLogger({ service: "outage", write: () => {} }),
  });
  const tracedFetch = createTracedFetch({ ...telemetry, timeoutMs: 2000 });
  const app = new Hono();
  app.use(httpServerTracing(telemetry));
  app.get("/call", async (c) => {
    const response = await tracedFetch(`http://127.0.0.1:${downstream.addr.port}/`);
    return c.text(await response.text());
  });
  app.get("/local", (c) => c.text("ok"));
  /** The flags this process sent downstream for a caller that sent `flags`. */
  const call = async (flags: string) => {
    const response = await app.request("/call", { headers: { traceparent: `${CALLER}-${flags}` } });
    assert.equal(await response.text(), "ok");
    return received.at(-1)!.slice(-2);
  };
  const flagsIn = ["00", "01", "02", "03"];
  try {
    const up = [];
    for (const flags of flagsIn) up.push(await call(flags));
    assert.deepEqual(up, ["00", "01", "02", "03"]);
    await sink.waitFor((spans) => spans.some((span) => span.name === "GET /call"));

    sink.refuse = true;
    await call("01");
    await telemetry.forceFlush(3000);
    await waitFor("an export to fail", () => (telemetry.stats()?.exportFailed ?? 0) > 0);

    const down = [];
    for (const flags of flagsIn) down.push(await call(flags));
    assert.deepEqual(down, up, "the same flags downstream with the collector down");
    const during = telemetry.stats()!;
    assert.ok(during.shed >= 2, `the sampled requests were shed: ${JSON.stringify(during)}`);
    assert.equal(during.shedBridged, 0, "no bridge span while nothing could deliver it");

    // Nothing was recorded while down, so no export can reopen the gate: only a probe can tell
    // that the collector is back.
    sink.refuse = false;
    const before = sink.spans.length;
    await waitFor("SERVER spans to be recorded and exported again", async () => {
      const response = await app.request("/local", { headers: { traceparent: `${CALLER}-01` } });
      await response.body?.cancel();
      await telemetry.forceFlush(3000);
      return sink.spans.slice(before).some((span) => span.name === "GET /local");
    });
    assert.ok(telemetry.stats()!.exportProbes > 0, "a probe found the collector back");
  } finally {
    await telemetry.shutdown(2000);
    await downstream.shutdown();
    await sink.close();
  }
});
