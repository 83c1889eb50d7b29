import root from "otlp-proto";
import assert from "node:assert/strict";
import { normalizeLogs, PayloadError } from "./otlp_normalize.ts";
import { decodeRequest } from "./otlp_proto.ts";
import { decodeLogRecords } from "./otlp_proto_logs.ts";
import { DEFAULT_INGEST_LIMITS } from "./limits.ts";

// deno-lint-ignore no-explicit-any -- the generated module has no types for the root object
const proto = (root as any).opentelemetry.proto;
const Request = proto.collector.logs.v1.ExportLogsServiceRequest;

function encode(request: Record<string, unknown>): Uint8Array {
  return Request.encode(Request.fromObject(request)).finish();
}

/** The oracle: protobufjs and the generated code, then the normalizer JSON ingest uses too. */
function oracle(bytes: Uint8Array, limits = DEFAULT_INGEST_LIMITS) {
  return normalizeLogs(decodeRequest("logs", bytes), "bytes", limits);
}

const ID16 = new Uint8Array(16).fill(7);
const ID8 = new Uint8Array(8).fill(9);

function record(i: number): Record<string, unknown> {
  return {
    ...(i % 3 === 0 ? {} : { timeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)) }),
    observedTimeUnixNano: "1700000000000000999",
    severityNumber: i % 24,
    ...(i % 2 === 0 ? { severityText: i % 4 === 0 ? "INFO" : "warn\u0000ing" } : {}),
    ...(i % 5 === 0 ? {} : { body: { stringValue: `message ${i}` } }),
    attributes: Array.from({ length: i % 7 }, (_, j) => ({
      key: `k${j}`,
      value: j % 2 === 0
        ? { intValue: String(j) }
        : { arrayValue: { values: [{ boolValue: true }, { kvlistValue: { values: [] } }] } },
    })),
    ...(i % 4 === 1 ? {} : { traceId: ID16, spanId: ID8 }),
    ...(i === 11 ? { traceId: new Uint8Array(3).fill(1) } : {}),
  };
}

Deno.test("decodeLogRecords() equals protobufjs and normalizeLogs", async (t) => {
  const request = {
    resourceLogs: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] },
        scopeLogs: [{
          scope: { name: "s" },
          logRecords: Array.from({ length: 20 }, (_, i) => record(i)),
        }],
      },
      { scopeLogs: [{ logRecords: [record(21), record(22)] }, { logRecords: [record(23)] }] },
    ],
  };
  const bytes = encode(request);
  await t.step("with the default limits", () => {
    const result = decodeLogRecords(bytes);
    assert.deepEqual(result, oracle(bytes));
    assert.equal(result.rejected, 1, "the record with a 3-byte trace id");
    assert.equal(result.items.length, 22);
    assert.equal(result.items[0]!.service, "api");
  });
  await t.step("with small limits", () => {
    const limits = { ...DEFAULT_INGEST_LIMITS, attributeCount: 2, valueLength: 3, valueDepth: 1 };
    const result = decodeLogRecords(bytes, limits);
    // The tallies differ by what the rejected record held: read whole here, there up to its id.
    assert.deepEqual({ ...result, tally: undefined }, {
      ...oracle(bytes, limits),
      tally: undefined,
    });
    assert.ok(result.tally!.attributes > 0 && result.tally!.truncated > 0);
  });
  await t.step("cut anywhere, both refuse it or read the same", () => {
    for (let cut = 0; cut < bytes.length; cut += 7) {
      const part = bytes.subarray(0, cut);
      const outcome = (decode: () => unknown) => {
        try {
          return decode();
        } catch (error) {
          assert.ok(error instanceof PayloadError, String(error));
          return "invalid";
        }
      };
      assert.deepEqual(outcome(() => decodeLogRecords(part)), outcome(() => oracle(part)));
    }
  });
});
