import assert from "node:assert/strict";
import { startTracingProcess } from "./testing/service.ts";

const BODY_BYTES = 8_000_000;
const CONCURRENT = 16;

/** A valid OTLP/JSON body of exactly `BODY_BYTES` bytes: no spans, padded with spaces. */
function paddedBody(): Uint8Array<ArrayBuffer> {
  const head = '{"resourceSpans":[]';
  return new TextEncoder().encode(head + " ".repeat(BODY_BYTES - head.length - 1) + "}");
}

async function bytesRead(queryUrl: string): Promise<number> {
  const text = await (await fetch(`${queryUrl}/metrics`)).text();
  return Number(/^tracing_ingest_body_read_bytes_total (\d+)/m.exec(text)?.[1] ?? "0");
}

// Issue 22 doubted the in-flight budget: 16 concurrent 8 MB bodies against 64 MiB were admitted
// 0, 2 or 6 at a time, as each took bytes as it read them and all could run out half-way. Now a
// body reserves its content-length before reading: at most 8 fit at once, an admitted body is
// never refused half-way, and a refused one is answered at once without a byte read.
Deno.test("tracing admits at least 8 of 16 concurrent 8 MB bodies within 64 MiB, refusing the rest before reading", async () => {
  const tracing = await startTracingProcess({
    env: {
      OTLP_MAX_BODY_BYTES: String(8 * 1024 * 1024),
      OTLP_MAX_INFLIGHT_BYTES: String(64 * 1024 * 1024),
    },
  });
  try {
    const body = paddedBody();
    for (let round = 0; round < 3; round++) {
      const before = await bytesRead(tracing.queryUrl);
      const answers = await Promise.all(Array.from({ length: CONCURRENT }, async () => {
        const response = await fetch(`${tracing.otlpEndpoint}/v1/traces`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        const text = await response.text();
        return { status: response.status, retryAfter: response.headers.get("retry-after"), text };
      }));
      const accepted = answers.filter((a) => a.status === 200).length;
      for (const answer of answers) {
        assert.ok(answer.status === 200 || answer.status === 503, JSON.stringify(answer));
        if (answer.status === 503) {
          assert.equal(answer.retryAfter, "1");
          assert.match(answer.text, /retry later/);
        }
      }
      assert.ok(accepted >= 8, `round ${round}: only ${accepted} of ${CONCURRENT} admitted`);
      assert.equal(
        (await bytesRead(tracing.queryUrl)) - before,
        accepted * BODY_BYTES,
        "a refused body was read",
      );
    }
  } finally {
    await tracing.stop();
  }
});
