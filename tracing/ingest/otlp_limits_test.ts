import assert from "node:assert/strict";
import type { Counter } from "prom-client";
import { ByteBudget } from "../../lib/http/byte_budget.ts";
import { INFLATE_SLICE_BYTES } from "../../lib/http/bounded_body.ts";
import { chunkedStream, gzipBomb } from "../../lib/testing/gzip_bomb.ts";
import { waitFor } from "../../lib/testing/wait.ts";
import { createTestService, type TestService } from "../testing/test_deps.ts";

const MiB = 1024 * 1024;
/** Deflate's ratio is at most ~1032:1: one inflater step yields at most this much. */
const MAX_STEP = 1032 * INFLATE_SLICE_BYTES + 64 * 1024;
const gzipJson = { "content-type": "application/json", "content-encoding": "gzip" };

function post(body: BodyInit, headers: Record<string, string>): Request {
  return new Request("http://localhost/v1/traces", { method: "POST", body, headers });
}

async function total(counter: Counter): Promise<number> {
  return (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
}

async function bytesCounted(service: TestService): Promise<{ read: number; inflated: number }> {
  const { metrics } = service.pipeline;
  return {
    read: await total(metrics.bodyBytesRead),
    inflated: await total(metrics.bodyBytesInflated),
  };
}

Deno.test("POST /v1/traces answers 413 to a 512 MiB gzip bomb, inflating only a few MB past the limit", async () => {
  const bomb = await gzipBomb(512 * MiB);
  const service = createTestService({ maxBodyBytes: 8 * MiB });
  try {
    const response = await service.ingest.request(post(chunkedStream(bomb), gzipJson));
    assert.equal(response.status, 413);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.deepEqual(await response.json(), {
      code: 3,
      message: `Request body too large: the limit is ${8 * MiB} bytes`,
    });
    const { read, inflated } = await bytesCounted(service);
    assert.ok(inflated > 8 * MiB && inflated <= 8 * MiB + 2 * MAX_STEP, `inflated ${inflated}`);
    assert.ok(read <= 256 * 1024, `read ${read} of the bomb's ${bomb.byteLength} bytes`);
  } finally {
    await service.close();
  }
});

Deno.test("POST /v1/traces keeps concurrent gzip bombs within the in-flight budget", async () => {
  const bomb = await gzipBomb(512 * MiB);
  const budget = new ByteBudget(32 * MiB);
  const service = createTestService({ maxBodyBytes: 8 * MiB, budget });
  try {
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => service.ingest.request(post(chunkedStream(bomb), gzipJson))),
    );
    const statuses = responses.map((r) => r.status);
    for (const response of responses) await response.body?.cancel();
    assert.ok(statuses.every((s) => s === 413 || s === 503), `statuses ${statuses}`);
    assert.ok(budget.peak <= budget.limit, `peak ${budget.peak}`);
    assert.equal(budget.used, 0);
    const { inflated } = await bytesCounted(service);
    assert.ok(inflated <= 6 * (8 * MiB + 2 * MAX_STEP), `inflated ${inflated}`);
  } finally {
    await service.close();
  }
});

Deno.test("POST /v1/traces answers 503 with retry-after while other bodies hold the budget", async () => {
  const budget = new ByteBudget(2 * MiB);
  const service = createTestService({ maxBodyBytes: MiB, budget });
  // Two slow clients have sent 600 KB each and are still sending.
  let open!: () => void;
  const gate = new Promise<void>((resolve) => open = resolve);
  const slow = () => {
    let sent = 0;
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      async pull(controller) {
        if (sent === 600_000) await gate;
        controller.enqueue(new Uint8Array(100_000));
        sent += 100_000;
      },
    });
  };
  const held = [slow(), slow()].map((body) =>
    service.ingest.request(post(body, { "content-type": "application/json" }))
  );
  try {
    await waitFor("the slow bodies to hold 1.2 MB", () => budget.used >= 1_200_000);
    // Within the per-request limit once inflated, but not within what the budget has left.
    const zeros = await gzipBomb(1_000_000);
    const refused = await service.ingest.request(post(chunkedStream(zeros), gzipJson));
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.match((await refused.json()).message, /retry later/);
    open();
    // The slow bodies go on past the per-request limit.
    for (const response of await Promise.all(held)) {
      assert.equal(response.status, 413);
      await response.body?.cancel();
    }
    assert.ok(budget.peak <= budget.limit, `peak ${budget.peak}`);
    assert.equal(budget.used, 0);
  } finally {
    open();
    await service.close();
  }
});
