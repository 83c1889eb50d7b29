import assert from "node:assert/strict";
import { INFLATE_SLICE_BYTES, readBoundedBody } from "./bounded_body.ts";
import { ByteBudget } from "./byte_budget.ts";
import { HttpError } from "./errors.ts";
import { chunkedStream, gzipBomb } from "../testing/gzip_bomb.ts";

const MiB = 1024 * 1024;
/** Deflate's largest ratio is ~1032:1, so one slice inflates to at most this much. */
const MAX_STEP = 1032 * INFLATE_SLICE_BYTES + 64 * 1024;

function request(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  return new Request("http://localhost/", { method: "POST", body, headers });
}

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpError, `expected an HttpError, got ${error}`);
    return error;
  }
  assert.fail("expected the read to fail");
}

Deno.test("readBoundedBody() stops inflating a 512 MiB gzip bomb just past the limit", async (t) => {
  const bomb = await gzipBomb(512 * MiB);
  assert.ok(bomb.byteLength < 0.6 * MiB, `the bomb is ${bomb.byteLength} bytes`);
  for (
    const [name, body] of [["one chunk", () => bomb], [
      "64 KiB network chunks",
      () => chunkedStream(bomb),
    ]] as const
  ) {
    await t.step(name, async () => {
      const budget = new ByteBudget(256 * MiB);
      const lease = budget.lease();
      let read = 0;
      let inflated = 0;
      const error = await rejection(
        readBoundedBody(request(body(), { "content-encoding": "gzip" }), {
          maxBytes: 8 * MiB,
          lease,
          onRead: (bytes) => void (read += bytes),
          onInflated: (bytes) => void (inflated += bytes),
        }),
      );
      assert.equal(error.status, 413);
      assert.equal(error.code, "payload_too_large");
      assert.ok(inflated > 8 * MiB, `inflated ${inflated}`);
      assert.ok(inflated <= 8 * MiB + 2 * MAX_STEP, `inflated ${inflated} bytes`);
      // The reservation: without a content-length, the limit for each of the two copies.
      assert.equal(budget.peak, 2 * 8 * MiB);
      if (name !== "one chunk") {
        assert.ok(read <= 256 * 1024, `read ${read} of ${bomb.byteLength} compressed bytes`);
      }
      lease.release();
      assert.equal(budget.used, 0);
    });
  }
});

Deno.test("readBoundedBody() returns gzip and plain bodies within the limit", async (t) => {
  const text = new TextEncoder().encode(JSON.stringify({ spans: "x".repeat(200_000) }));
  const budget = new ByteBudget(4 * MiB);
  await t.step("gzip, in network chunks", async () => {
    const compressed = await gzip(text);
    const lease = budget.lease();
    const body = await readBoundedBody(
      request(chunkedStream(compressed, 1000), { "content-encoding": "GZIP" }),
      { maxBytes: MiB, lease },
    );
    assert.deepEqual(body.bytes, text);
    assert.deepEqual(body.raw, compressed);
    assert.equal(body.coding, "gzip");
    assert.equal(lease.held, compressed.byteLength + text.byteLength);
    lease.release();
  });
  await t.step("identity", async () => {
    const lease = budget.lease();
    const body = await readBoundedBody(request(text), { maxBytes: MiB, lease });
    assert.deepEqual(body.bytes, text);
    assert.equal(body.coding, "identity");
    lease.release();
  });
  await t.step("no body", async () => {
    const body = await readBoundedBody(request(null), { maxBytes: MiB, lease: budget.lease() });
    assert.equal(body.bytes.byteLength, 0);
  });
  assert.equal(budget.used, 0);
});

Deno.test("readBoundedBody() refuses bad bodies with the right status", async (t) => {
  const options = () => ({ maxBytes: 1000, lease: new ByteBudget(MiB).lease() });
  await t.step("413 for a declared length over the limit, before reading", async () => {
    const sent = new Request("http://localhost/", {
      method: "POST",
      body: new Uint8Array(5000),
      headers: { "content-length": "1001" },
    });
    const error = await rejection(readBoundedBody(sent, options()));
    assert.equal(error.status, 413);
    assert.equal(sent.bodyUsed, false);
    await sent.body?.cancel();
  });
  await t.step("413 for a plain body without length that grows past the limit", async () => {
    const error = await rejection(
      readBoundedBody(request(chunkedStream(new Uint8Array(5000), 100)), options()),
    );
    assert.equal(error.status, 413);
  });
  await t.step("415 for an unknown content-encoding", async () => {
    const error = await rejection(
      readBoundedBody(request("{}", { "content-encoding": "br" }), options()),
    );
    assert.equal(error.status, 415);
    assert.match(error.message, /Unsupported content-encoding "br": expected gzip or none/);
  });
  await t.step("400 for a body that is not gzip", async () => {
    const error = await rejection(
      readBoundedBody(request('{"a":1}', { "content-encoding": "gzip" }), options()),
    );
    assert.equal(error.status, 400);
    assert.equal(error.code, "bad_gzip");
  });
});

Deno.test("readBoundedBody() reserves a body's length before reading and gives back what it did not use", async (t) => {
  const budget = new ByteBudget(3000);
  await t.step("a body with content-length holds its length once read", async () => {
    const lease = budget.lease();
    const held = await readBoundedBody(
      request(new Uint8Array(2500), { "content-length": "2500" }),
      { maxBytes: 4000, lease },
    );
    assert.equal(held.bytes.byteLength, 2500);
    assert.equal(lease.held, 2500);
    // Another that does not fit is 503 before a byte of it is read.
    let read = 0;
    const error = await rejection(
      readBoundedBody(request(new Uint8Array(1000), { "content-length": "1000" }), {
        maxBytes: 4000,
        lease: budget.lease(),
        onRead: (bytes) => void (read += bytes),
      }),
    );
    assert.equal(error.status, 503);
    assert.equal(error.headers["retry-after"], "1");
    assert.equal(read, 0);
    lease.release();
    assert.equal(budget.used, 0);
  });
  await t.step(
    "a body without content-length reserves the limit, then keeps its size",
    async () => {
      const lease = budget.lease();
      const body = await readBoundedBody(request(chunkedStream(new Uint8Array(700))), {
        maxBytes: 2000,
        lease,
      });
      assert.equal(body.bytes.byteLength, 700);
      assert.equal(budget.peak, 2500, "2000 reserved while 2500 were held before: the peak stays");
      assert.equal(lease.held, 700);
      lease.release();
    },
  );
  await t.step("gzip reserves the limit again for the inflated copy", async () => {
    const zipped = await gzip(new Uint8Array(1000));
    const error = await rejection(
      readBoundedBody(
        request(zipped, {
          "content-encoding": "gzip",
          "content-length": String(zipped.byteLength),
        }),
        { maxBytes: 3000, lease: budget.lease() },
      ),
    );
    assert.equal(error.status, 503, "its length plus 3000 does not fit 3000");
    const lease = budget.lease();
    const body = await readBoundedBody(
      request(zipped, { "content-encoding": "gzip", "content-length": String(zipped.byteLength) }),
      { maxBytes: 1500, lease },
    );
    assert.equal(body.bytes.byteLength, 1000);
    assert.equal(lease.held, zipped.byteLength + 1000);
    lease.release();
    assert.equal(budget.used, 0);
  });
});

Deno.test("readBoundedBody() never refuses an admitted body half-way: the budget decides at once", async () => {
  const budget = new ByteBudget(3000);
  let open!: () => void;
  const gate = new Promise<void>((resolve) => open = resolve);
  // Two clients declare 1500 bytes each and send the first 500, then wait.
  const slow = () =>
    new ReadableStream<Uint8Array<ArrayBuffer>>(
      {
        sent: 0,
        async pull(controller) {
          if (this.sent === 500) await gate;
          controller.enqueue(new Uint8Array(500));
          this.sent += 500;
          if (this.sent === 1500) controller.close();
        },
      } as UnderlyingDefaultSource<Uint8Array<ArrayBuffer>> & { sent: number },
    );
  const reads = [slow(), slow()].map((body) =>
    readBoundedBody(request(body, { "content-length": "1500" }), {
      maxBytes: 2000,
      lease: budget.lease(),
    })
  );
  try {
    assert.equal(budget.used, 3000, "both reserved their length before reading");
    let read = 0;
    const third = await rejection(
      readBoundedBody(request(new Uint8Array(10), { "content-length": "10" }), {
        maxBytes: 2000,
        lease: budget.lease(),
        onRead: (bytes) => void (read += bytes),
      }),
    );
    assert.equal(third.status, 503);
    assert.equal(read, 0);
  } finally {
    open();
  }
  for (const body of await Promise.all(reads)) assert.equal(body.bytes.byteLength, 1500);
});
