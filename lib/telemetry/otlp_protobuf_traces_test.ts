import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import root from "otlp-proto";
import assert from "node:assert/strict";
import { randomSpans } from "./_random_spans.ts";
import { EncodedSpanRuns, OtlpProtobufTraceEncoder } from "./otlp_protobuf_traces.ts";

// deno-lint-ignore no-explicit-any -- the generated module has no types for the root object
const Request = (root as any).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** Both encodings read back by the official generated code, every field shown. */
function decode(bytes: Uint8Array): unknown {
  return Request.toObject(Request.decode(bytes), {
    longs: String,
    bytes: String,
    enums: Number,
    defaults: true,
    arrays: true,
  });
}

Deno.test("OtlpProtobufTraceEncoder decodes to what the official serializer encodes", async (t) => {
  const encoder = new OtlpProtobufTraceEncoder();
  for (let seed = 1; seed <= 300; seed++) {
    const spans = randomSpans(seed, 1 + (seed % 40));
    const ours = decode(encoder.encode(spans));
    const official = decode(ProtobufTraceSerializer.serializeRequest(spans)!);
    assert.deepStrictEqual(ours, official, `seed ${seed}`);
  }

  await t.step("for one resource and scope, the common case", () => {
    const spans = randomSpans(7, 200);
    for (const span of spans) {
      Object.assign(span, {
        resource: spans[0]!.resource,
        instrumentationScope: spans[0]!.instrumentationScope,
      });
    }
    assert.deepStrictEqual(
      decode(encoder.encode(spans)),
      decode(ProtobufTraceSerializer.serializeRequest(spans)!),
    );
  });

  await t.step("for spans and strings longer than their reserved length bytes", () => {
    const spans = randomSpans(5, 4);
    Object.assign(spans[1]!, {
      attributes: { "db.query.text": "ä".repeat(70_000), small: 1 },
      name: "n".repeat(20_000),
    });
    assert.deepStrictEqual(
      decode(encoder.encode(spans)),
      decode(ProtobufTraceSerializer.serializeRequest(spans)!),
    );
  });

  await t.step("for an empty batch", () => {
    assert.deepStrictEqual(encoder.encode([]), new Uint8Array(0));
  });

  await t.step("for a batch larger than the initial buffer", () => {
    const spans = randomSpans(11, 3000);
    const bytes = encoder.encode(spans);
    assert.ok(bytes.length > 64 * 1024, `only ${bytes.length} bytes`);
    assert.deepStrictEqual(decode(bytes), decode(ProtobufTraceSerializer.serializeRequest(spans)!));
  });
});

Deno.test("OtlpProtobufTraceEncoder returns bytes that later batches do not overwrite", () => {
  const encoder = new OtlpProtobufTraceEncoder();
  const first = encoder.encode(randomSpans(3, 5));
  const copy = first.slice();
  encoder.encode(randomSpans(4, 50));
  assert.deepStrictEqual(first, copy);
});

Deno.test("EncodedSpanRuns takes spans one at a time into what the official serializer encodes", async (t) => {
  const runs = new EncodedSpanRuns();
  await t.step("batch after batch, across resources and scopes", () => {
    for (let seed = 301; seed <= 400; seed++) {
      const spans = randomSpans(seed, 1 + (seed % 30));
      for (const span of spans) assert.equal(runs.add(span), true);
      assert.equal(runs.spans, spans.length);
      const taken = runs.take()!;
      assert.equal(taken.spans, spans.length);
      assert.deepStrictEqual(
        decode(taken.bytes),
        decode(ProtobufTraceSerializer.serializeRequest(spans)!),
        `seed ${seed}`,
      );
      assert.deepEqual([runs.spans, runs.bytes], [0, 0], "emptied by take()");
    }
  });

  await t.step("refusing a span that would pass the byte limit, keeping the rest whole", () => {
    const spans = randomSpans(17, 60);
    const limit = 6000;
    const kept = spans.filter((span) => {
      const added = runs.add(span, limit);
      assert.ok(runs.bytes <= limit, `${runs.bytes} bytes queued`);
      return added;
    });
    assert.ok(kept.length > 0 && kept.length < spans.length, `${kept.length} kept`);
    assert.deepStrictEqual(
      decode(runs.take()!.bytes),
      decode(ProtobufTraceSerializer.serializeRequest(kept)!),
    );
  });

  await t.step("nothing to take when nothing was added", () => {
    assert.equal(runs.take(), undefined);
    assert.equal(runs.add(randomSpans(3, 1)[0]!, 10), false, "a span larger than the limit");
    assert.equal(runs.take(), undefined, "a refused span leaves nothing behind");
  });
});
