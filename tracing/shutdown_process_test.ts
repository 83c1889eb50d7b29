import assert from "node:assert/strict";
import { requestJson } from "../lib/testing/http.ts";
import { startServiceProcess } from "../lib/testing/service_process.ts";
import { sampleTraceJson } from "./testing/test_deps.ts";

const TRACE_ID = "5b8efff798038103d269b633813fc60c";

function startTracing(dataDir: string) {
  return startServiceProcess({
    service: "tracing",
    dataDir,
    // A write delay longer than the test: only the graceful stop can have written the spans.
    env: { OTLP_PORT: "0", OTEL_SDK_DISABLED: "true", WRITE_FLUSH_MS: "10000" },
    listeners: ["otlp", "http"],
  });
}

Deno.test("tracing stops both listeners on SIGTERM, writing what the OTLP port accepted", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tracing-stop-" });
  try {
    const first = await startTracing(dataDir);
    const accepted = await requestJson(`http://127.0.0.1:${first.ports.otlp}/v1/traces`, {
      body: sampleTraceJson(TRACE_ID),
    });
    assert.equal(accepted.status, 200);
    assert.equal(await first.stop("SIGTERM"), 0);
    const messages = first.logs.map((line) => line.msg);
    for (const msg of ["Shutting down", "HTTP server drained", "Stopped"]) {
      assert.ok(messages.includes(msg), `no "${msg}" in ${JSON.stringify(messages)}`);
    }

    const second = await startTracing(dataDir);
    try {
      const stored = await requestJson(`${second.url}/api/v1/traces/${TRACE_ID}`);
      assert.equal(stored.status, 200);
      assert.equal(stored.body.span_count, 2);
    } finally {
      assert.equal(await second.stop("SIGTERM"), 0);
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
