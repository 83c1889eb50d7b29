import root from "otlp-proto";
import assert from "node:assert/strict";
import { normalizeTraces, PayloadError } from "./otlp_normalize.ts";
import { decodeRequest } from "./otlp_proto.ts";
import { decodeTraceSpans } from "./otlp_proto_spans.ts";
import { fixed64, varint } from "../testing/protobuf_bytes.ts";

// deno-lint-ignore no-explicit-any -- the generated module has no types for the root object
const proto = (root as any).opentelemetry.proto;
const Request = proto.collector.trace.v1.ExportTraceServiceRequest;
const ResourceSpans = proto.trace.v1.ResourceSpans;

type Obj = Record<string, unknown>;

/** The official generated code's encoding of a request in its object form. */
function encode(request: Obj): Uint8Array {
  return Request.encode(Request.fromObject(request)).finish();
}

/** The oracle: protobufjs and the generated code, then the normalizer JSON ingest uses too. */
function oracle(bytes: Uint8Array) {
  return normalizeTraces(decodeRequest("traces", bytes), "bytes");
}

function outcome(decode: () => unknown): unknown {
  try {
    return { ok: decode() };
  } catch (error) {
    assert.ok(error instanceof PayloadError, `expected a PayloadError, got ${error}`);
    return "invalid";
  }
}

/** A small seeded generator (mulberry32), so a failure names the payload that caused it. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}

const TEXTS = [
  "",
  "GET /users/:username",
  "db.system.name",
  "x".repeat(47),
  "long ascii value that is past the short-string fast path of the reader",
  "héllo wörld ✓",
  "𝄞 music and 😀 emoji",
  "日本語のテキストはマルチバイトで、四十八バイトを超えるほど長い文字列です",
];

function generator(seed: number) {
  const r = random(seed);
  const text = () => r.pick(TEXTS);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => r.int(256));
  const id = (n: number): Uint8Array | undefined => {
    const roll = r.next();
    if (roll < 0.8) return bytes(n);
    if (roll < 0.87) return undefined;
    if (roll < 0.94) return new Uint8Array(n);
    return bytes(r.pick([0, 1, n - 1, n + 1]));
  };
  const nanos = () =>
    r.chance(0.05)
      ? r.pick(["0", "18446744073709551615", "9007199254740993123"])
      : String(1_700_000_000_000_000_000n + BigInt(r.int(2 ** 31)) * 1000n + BigInt(r.int(1000)));
  const anyValue = (depth: number): Obj => {
    const kinds = depth > 1 ? 6 : 8;
    switch (r.int(kinds + 1)) {
      case 0:
        return { stringValue: text() };
      case 1:
        return { boolValue: r.chance(0.5) };
      case 2:
        return {
          intValue: r.pick(["0", "42", "-7", "9223372036854775807", "-9223372036854775808"]),
        };
      case 3:
        return { doubleValue: r.pick([0.5, -0, 1e300, NaN, Infinity, -Infinity, 3]) };
      case 4:
        return { bytesValue: bytes(r.int(5)) };
      case 5:
        return {};
      case 6:
        // Two fields of the oneof: the normalizer's order decides.
        return { stringValue: text(), intValue: "5" };
      case 7:
        return {
          arrayValue: { values: Array.from({ length: r.int(3) }, () => anyValue(depth + 1)) },
        };
      default:
        return { kvlistValue: { values: attributes(depth + 1) } };
    }
  };
  const attributes = (depth = 0): Obj[] =>
    Array.from({ length: r.int(5) }, () => {
      const kv: Obj = { key: text() };
      if (r.chance(0.95)) kv.value = anyValue(depth);
      return kv;
    });
  const maybe = (field: string, value: unknown, p = 0.9): Obj =>
    value !== undefined && r.chance(p) ? { [field]: value } : {};
  const span = (): Obj => {
    let start = nanos();
    let end = nanos();
    if (BigInt(end) < BigInt(start) && r.chance(0.8)) [start, end] = [end, start];
    return {
      ...maybe("traceId", id(16), 1),
      ...maybe("spanId", id(8), 1),
      ...maybe("parentSpanId", id(8), 0.5),
      ...maybe("traceState", text(), 0.3),
      ...maybe("flags", r.pick([0, 1, 257, 0xffffffff]), 0.7),
      ...maybe("name", text()),
      ...maybe("kind", r.pick([0, 1, 2, 3, 4, 5, 9, -1]), 0.8),
      ...maybe("startTimeUnixNano", start, 0.95),
      ...maybe("endTimeUnixNano", end, 0.95),
      attributes: attributes(),
      droppedAttributesCount: r.int(3),
      events: Array.from({ length: r.int(3) }, () => ({
        ...maybe("timeUnixNano", nanos(), 0.5),
        ...maybe("name", text()),
        attributes: attributes(),
      })),
      links: Array.from({ length: r.int(2) }, () => ({
        ...maybe("traceId", id(16), 0.95),
        ...maybe("spanId", id(8), 0.95),
        ...maybe("traceState", text(), 0.3),
        attributes: attributes(),
        flags: r.int(3),
      })),
      ...maybe("status", { ...maybe("code", r.int(3)), ...maybe("message", text(), 0.5) }, 0.5),
    };
  };
  const request = (): Obj => ({
    resourceSpans: Array.from({ length: 1 + r.int(3) }, () => ({
      ...maybe("resource", {
        attributes: [
          ...(r.chance(0.8) ? [{ key: "service.name", value: { stringValue: text() } }] : []),
          ...attributes(),
        ],
      }),
      scopeSpans: Array.from({ length: r.int(3) }, () => ({
        ...maybe("scope", { ...maybe("name", text()), ...maybe("version", text()) }),
        spans: Array.from({ length: r.int(5) }, span),
      })),
      ...maybe("schemaUrl", text(), 0.2),
    })),
  });
  return { request, r };
}

Deno.test("decodeTraceSpans() equals protobufjs and normalizeTraces on random requests", async (t) => {
  for (let seed = 1; seed <= 400; seed++) {
    const { request, r } = generator(seed);
    const bytes = encode(request());
    const expected = oracle(bytes);
    assert.deepEqual(decodeTraceSpans(bytes), expected, `seed ${seed}`);
    // Cut anywhere: both refuse it, or (cut between top-level fields) both read the same.
    for (let i = 0; i < 6; i++) {
      const cut = bytes.subarray(0, r.int(bytes.length));
      assert.deepEqual(
        outcome(() => decodeTraceSpans(cut)),
        outcome(() => oracle(cut)),
        `seed ${seed}, cut at ${cut.length} of ${bytes.length}`,
      );
    }
  }
  await t.step("rejected spans are counted with the normalizer's first reason", () => {
    const spans = [
      { spanId: new Uint8Array(8).fill(1), startTimeUnixNano: "1", endTimeUnixNano: "2" },
      { traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(8).fill(2) },
    ];
    const bytes = encode({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
    const result = decodeTraceSpans(bytes);
    assert.deepEqual(result, oracle(bytes));
    assert.equal(result.rejected, 2);
    assert.match(result.firstError!, /Invalid traceId/);
  });
});

Deno.test("decodeTraceSpans() reads fields in any order and skips unknown ones", async (t) => {
  const { request } = generator(7);
  const resource = { attributes: [{ key: "service.name", value: { stringValue: "late" } }] };
  const valid = {
    traceId: new Uint8Array(16).fill(1),
    spanId: new Uint8Array(8).fill(2),
    name: "op",
    startTimeUnixNano: "1000",
    endTimeUnixNano: "2000",
  };
  const spans = [
    { scope: { name: "s" }, spans: [valid] },
    ...(request().resourceSpans as Obj[]).flatMap((rs) => rs.scopeSpans as Obj[]),
  ];
  await t.step("a resource after its scopes still names their spans' service", () => {
    const body = [
      ...ResourceSpans.encode(ResourceSpans.fromObject({ scopeSpans: spans })).finish(),
      ...ResourceSpans.encode(ResourceSpans.fromObject({ resource })).finish(),
    ];
    const bytes = Uint8Array.from([0x0a, ...varint(body.length), ...body]);
    const result = decodeTraceSpans(bytes);
    assert.deepEqual(result, oracle(bytes));
    assert.ok(result.items.length > 0);
    assert.ok(result.items.every((span) => span.service === "late"));
  });
  await t.step("unknown fields of every wire type are skipped", () => {
    const known = encode({ resourceSpans: [{ resource, scopeSpans: spans }] });
    const unknown = [
      ...[0x98, 0x06, 0x96, 0x01], // field 99, varint
      ...[0x99, 0x06, 1, 2, 3, 4, 5, 6, 7, 8], // field 99, fixed64
      ...[0x9a, 0x06, 2, 0xaa, 0xbb], // field 99, length-delimited
      ...[0x9b, 0x06, 0x08, 0x01, 0x9c, 0x06], // field 99, a group holding a varint
      ...[0x9d, 0x06, 1, 2, 3, 4], // field 99, fixed32
    ];
    const bytes = Uint8Array.from([...unknown, ...known, ...unknown]);
    assert.deepEqual(decodeTraceSpans(bytes), oracle(bytes));
    assert.deepEqual(decodeTraceSpans(bytes), decodeTraceSpans(known));
  });
});

Deno.test("decodeTraceSpans() refuses a body that is not protobuf with a PayloadError", async (t) => {
  const cases: [string, number[], RegExp][] = [
    ["a length past the end", [0x0a, 0xff, 0xff], /Truncated|overruns/],
    ["an invalid wire type", [0x17], /Invalid wire type 7/],
    ["a varint of 11 bytes", [0x08, ...Array(10).fill(0xff), 0x01], /Invalid varint/],
    ["a truncated varint", [0x08, 0xff], /Truncated varint/],
    ["a field overrunning its message", [0x0a, 0x02, 0x0a, 0x05, 0, 0, 0, 0, 0], /overruns/],
  ];
  for (const [name, bytes, message] of cases) {
    await t.step(name, () => {
      assert.throws(() => decodeTraceSpans(Uint8Array.from(bytes)), (error: unknown) => {
        assert.ok(error instanceof PayloadError);
        assert.match(error.message, /^Invalid protobuf body: /);
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

/** A valid span whose one attribute holds arrays nested `levels` deep, as protobuf bytes. */
function deeplyNestedSpan(levels: number): Uint8Array {
  // An AnyValue holding an array holding an AnyValue ... `levels` down: the lengths are worked
  // out from the inside, the prefixes written from the outside.
  const prefixes: number[][] = [];
  let inner = 0;
  for (let i = 0; i < levels; i++) {
    const array = [0x0a, ...varint(inner)];
    const arrayLength = array.length + inner;
    const prefix = [0x2a, ...varint(arrayLength), ...array];
    prefixes.push(prefix);
    inner = arrayLength + prefix.length - array.length;
  }
  const value = prefixes.reverse().flat();
  const kv = [0x0a, 1, 0x64, 0x12, ...varint(value.length), ...value];
  const span = [
    ...[0x0a, 16, ...Array(16).fill(1)],
    ...[0x12, 8, ...Array(8).fill(2)],
    ...[0x39, ...fixed64(1_700_000_000_000_000_000n)],
    ...[0x41, ...fixed64(1_700_000_001_000_000_000n)],
    ...[0x4a, ...varint(kv.length), ...kv],
    ...[0x4a, 7, 0x0a, 1, 0x6b, 0x12, 2, 0x10, 0x00], // k = { boolValue: false }, kept
  ];
  const scope = [0x12, ...varint(span.length), ...span];
  const rs = [0x12, ...varint(scope.length), ...scope];
  return Uint8Array.from([0x0a, ...varint(rs.length), ...rs]);
}

Deno.test("decodeTraceSpans() drops an attribute nested past the depth limit, counted, at any depth", async (t) => {
  await t.step("100,000 levels: no recursion, the span is kept without the attribute", () => {
    const result = decodeTraceSpans(deeplyNestedSpan(100_000));
    assert.equal(result.rejected, 0);
    assert.equal(result.items.length, 1);
    const span = result.items[0]!;
    assert.deepEqual(span.attributes, [{ key: "k", value: { boolValue: false } }]);
    assert.equal(span.droppedAttributesCount, 1);
    assert.equal(result.tally?.tooDeep, 1);
  });
  await t.step("just past the limit, as protobufjs and the normalizer say too", () => {
    const bytes = deeplyNestedSpan(9);
    assert.deepEqual(decodeTraceSpans(bytes), oracle(bytes));
    assert.equal(decodeTraceSpans(bytes).items[0]!.droppedAttributesCount, 1);
  });
  await t.step("at the limit the value is kept", () => {
    const bytes = deeplyNestedSpan(8);
    assert.deepEqual(decodeTraceSpans(bytes), oracle(bytes));
    assert.equal(decodeTraceSpans(bytes).items[0]!.attributes.length, 2);
  });
});
