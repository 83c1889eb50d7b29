import assert from "node:assert/strict";
import { gzipBomb } from "../lib/testing/gzip_bomb.ts";
import { sampleTraceJson } from "./testing/test_deps.ts";
import { startTracingProcess, type TracingProcess } from "./testing/service.ts";

const MiB = 1024 * 1024;

async function counter(tracing: TracingProcess, name: string): Promise<number> {
  const text = await (await fetch(`${tracing.queryUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return Number(line?.split(" ")[1] ?? NaN);
}

function postBomb(tracing: TracingProcess, bomb: Uint8Array<ArrayBuffer>): Promise<Response> {
  return fetch(`${tracing.otlpEndpoint}/v1/traces`, {
    method: "POST",
    body: bomb,
    headers: { "content-type": "application/json", "content-encoding": "gzip" },
  });
}

Deno.test("the tracing process refuses gzip bombs over HTTP, alone and at once, and keeps serving", async (t) => {
  const bomb = await gzipBomb(2 * 1024 * MiB);
  const tracing = await startTracingProcess({
    env: { OTLP_MAX_BODY_BYTES: String(8 * MiB), OTLP_MAX_INFLIGHT_BYTES: String(24 * MiB) },
  });
  try {
    await t.step("one bomb: 413 after reading a sliver of it", async () => {
      const response = await postBomb(tracing, bomb);
      assert.equal(response.status, 413);
      assert.match((await response.json()).message, /^Request body too large/);
      const read = await counter(tracing, "tracing_ingest_body_read_bytes_total");
      const inflated = await counter(tracing, "tracing_ingest_body_inflated_bytes_total");
      assert.ok(read < bomb.byteLength / 4, `read ${read} of ${bomb.byteLength} bytes`);
      assert.ok(inflated > 8 * MiB && inflated < 14 * MiB, `inflated ${inflated} bytes`);
    });
    await t.step(
      "four bombs at once: each 413, or 503 with retry-after past the budget",
      async () => {
        const before = await counter(tracing, "tracing_ingest_body_inflated_bytes_total");
        const responses = await Promise.all([1, 2, 3, 4].map(() => postBomb(tracing, bomb)));
        for (const response of responses) {
          assert.ok([413, 503].includes(response.status), `status ${response.status}`);
          if (response.status === 503) assert.equal(response.headers.get("retry-after"), "1");
          await response.body?.cancel();
        }
        const inflated = await counter(tracing, "tracing_ingest_body_inflated_bytes_total") -
          before;
        assert.ok(inflated < 4 * 14 * MiB, `inflated ${inflated} bytes`);
      },
    );
    await t.step("a normal request is still stored", async () => {
      const traceId = "0af7651916cd43dd8448eb211c80319c";
      const response = await fetch(`${tracing.otlpEndpoint}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(sampleTraceJson(traceId)),
      });
      assert.equal(response.status, 200);
      await response.body?.cancel();
      await tracing.waitForTrace(traceId, { minSpans: 2 });
    });
  } finally {
    await tracing.stop();
  }
});
