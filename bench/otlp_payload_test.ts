import assert from "node:assert/strict";
import { decodeRequest } from "../tracing/ingest/otlp_proto.ts";
import { createOtlpBatches, type OtlpEncoding, traceIdFor } from "./otlp_payload.ts";

const PREFIX = "0123456789abcdef";

interface DecodedSpan {
  traceId: string;
  start: bigint;
  end: bigint;
}

function decode(encoding: OtlpEncoding, body: Uint8Array): DecodedSpan[] {
  const request = encoding === "json"
    ? JSON.parse(new TextDecoder().decode(body))
    : decodeRequest("traces", body);
  const hex = (id: string | Uint8Array) =>
    typeof id === "string" ? id : Array.from(id, (b) => b.toString(16).padStart(2, "0")).join("");
  // deno-lint-ignore no-explicit-any
  return request.resourceSpans.flatMap((rs: any) =>
    // deno-lint-ignore no-explicit-any
    rs.scopeSpans.flatMap((ss: any) =>
      // deno-lint-ignore no-explicit-any
      ss.spans.map((span: any) => ({
        traceId: hex(span.traceId),
        start: BigInt(String(span.startTimeUnixNano)),
        end: BigInt(String(span.endTimeUnixNano)),
      }))
    )
  );
}

for (const encoding of ["json", "protobuf"] as const) {
  Deno.test(`createOtlpBatches(${encoding}) stamps the request number and moves span times`, () => {
    const batches = createOtlpBatches(encoding, 16, PREFIX);
    const now = Date.now() + 60_000;
    const first = decode(encoding, batches.batch(0, now));
    const later = decode(encoding, batches.batch(6, now + 1500));
    assert.equal(first.length, 16);
    first.forEach((span, i) => {
      assert.equal(span.traceId, traceIdFor(PREFIX, Math.floor(i / 8), 0));
      assert.equal(later[i]!.traceId, traceIdFor(PREFIX, Math.floor(i / 8), 6));
      assert.ok(span.end >= span.start);
      assert.equal(later[i]!.start - span.start, 1_500_000_000n);
      assert.equal(later[i]!.end - span.end, 1_500_000_000n);
      // Moved to about `now`, not left at the time the template was made.
      assert.ok(Math.abs(Number(span.start / 1_000_000n) - now) < 5_000, String(span.start));
    });
  });
}
