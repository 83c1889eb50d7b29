import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import root from "otlp-proto";
import assert from "node:assert/strict";
import { randomSpans } from "./_random_spans.ts";
import { OtlpProtobufTraceEncoder } from "./otlp_protobuf_traces.ts";

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
