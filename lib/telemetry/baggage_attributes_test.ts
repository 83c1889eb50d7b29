import assert from "node:assert/strict";
import { createServiceApp } from "../http/service_app.ts";
import { createLogger } from "../log.ts";
import { createTestTelemetry } from "../testing/telemetry.ts";

Deno.test("BaggageAttributesProcessor copies synthetic_request onto every span of the request", async (t) => {
  const { telemetry, exporter } = createTestTelemetry();
  const { app } = createServiceApp({
    service: "test",
    logger: createLogger({ service: "test", write: () => {} }),
    telemetry,
    maxBodyBytes: 1024,
  });
  app.get("/work", (c) => {
    telemetry.tracer.startSpan("SELECT things").end();
    return c.text("done");
  });
  await t.step("with the baggage entry", async () => {
    const response = await app.request("/work", {
      headers: { baggage: "synthetic_request=true,other=x" },
    });
    await response.body?.cancel();
    const spans = exporter.getFinishedSpans();
    assert.deepEqual(spans.map((s) => [s.name, s.attributes["synthetic_request"]]), [
      ["SELECT things", "true"],
      ["GET /work", "true"],
    ]);
    assert.equal(spans[1]?.attributes["other"], undefined, "only the chosen keys");
  });
  await t.step("without it", async () => {
    exporter.reset();
    await (await app.request("/work")).body?.cancel();
    assert.ok(exporter.getFinishedSpans().every((s) => !("synthetic_request" in s.attributes)));
  });
});
