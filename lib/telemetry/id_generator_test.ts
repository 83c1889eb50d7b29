import assert from "node:assert/strict";
import { PooledIdGenerator } from "./id_generator.ts";

Deno.test("PooledIdGenerator makes lowercase hex ids of the W3C lengths that do not repeat", () => {
  const generator = new PooledIdGenerator();
  const traceIds = new Set<string>();
  const spanIds = new Set<string>();
  // Enough draws to refill the 4 KiB pool several times.
  for (let index = 0; index < 2000; index++) {
    const traceId = generator.generateTraceId();
    const spanId = generator.generateSpanId();
    assert.match(traceId, /^[0-9a-f]{32}$/);
    assert.match(spanId, /^[0-9a-f]{16}$/);
    assert.notEqual(traceId, "0".repeat(32));
    assert.notEqual(spanId, "0".repeat(16));
    traceIds.add(traceId);
    spanIds.add(spanId);
  }
  assert.equal(traceIds.size, 2000);
  assert.equal(spanIds.size, 2000);
});

Deno.test("PooledIdGenerator spreads its bytes over all hex digits", () => {
  const generator = new PooledIdGenerator();
  const digits = new Set(Array.from({ length: 200 }, () => generator.generateTraceId()).join(""));
  assert.equal(digits.size, 16);
});

Deno.test("PooledIdGenerator hands over a trace id once, then draws again", () => {
  const generator = new PooledIdGenerator();
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  generator.handOverTraceId(traceId);
  assert.equal(generator.generateTraceId(), traceId);
  assert.notEqual(generator.generateTraceId(), traceId);
  generator.handOverTraceId(traceId);
  generator.handOverTraceId(undefined);
  assert.notEqual(generator.generateTraceId(), traceId, "a withdrawn id is not used");
});
