import root from "otlp-proto";
import assert from "node:assert/strict";
import { jsonInit } from "../../lib/testing/http.ts";
import { createTestService, type TestService } from "../testing/test_deps.ts";
import type { SpanRecord } from "../span_model.ts";
import { cutText, DEFAULT_INGEST_LIMITS, emptyTally, limitText } from "./limits.ts";

// deno-lint-ignore no-explicit-any -- the generated module has no types for the root object
const Request = (root as any).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const SPAN_ID = "b7ad6b7169203331";
const LONG = "é".repeat(20_000);

function deepValue(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { stringValue: "bottom" };
  for (let i = 0; i < levels; i++) value = { arrayValue: { values: [value] } };
  return value;
}

/** One span over every limit at once, in OTLP JSON's object form (hex ids). */
function floodedRequest(): Record<string, unknown> {
  const attributes: { key: string; value: Record<string, unknown> }[] = Array.from(
    { length: 1000 },
    (_, i) => ({ key: `k${i}`, value: { stringValue: String(i) } }),
  );
  attributes[0] = { key: "long", value: { stringValue: LONG } };
  attributes[1] = { key: "deep", value: deepValue(9) };
  attributes[2] = { key: "nul\u0000key", value: { stringValue: "a\u0000b" } };
  attributes[3] = {
    key: "wide",
    value: { arrayValue: { values: Array.from({ length: 300 }, () => ({ intValue: "1" })) } },
  };
  return {
    resourceSpans: [{
      resource: {
        attributes: [
          { key: "service.name", value: { stringValue: "svc\u0000x" } },
          ...Array.from({ length: 500 }, (_, i) => ({ key: `r${i}`, value: { boolValue: true } })),
        ],
      },
      scopeSpans: [{
        spans: [{
          traceId: TRACE_ID,
          spanId: SPAN_ID,
          name: "op",
          startTimeUnixNano: "1700000000000000000",
          endTimeUnixNano: "1700000001000000000",
          attributes,
          droppedAttributesCount: 5,
          events: Array.from({ length: 200 }, (_, i) => ({
            name: `e${i}`,
            timeUnixNano: "1700000000500000000",
            attributes: Array.from({ length: 130 }, (_, j) => ({
              key: `a${j}`,
              value: { intValue: "1" },
            })),
          })),
          links: Array.from({ length: 150 }, () => ({
            traceId: TRACE_ID,
            spanId: SPAN_ID,
          })),
        }],
      }],
    }],
  };
}

/** The same request as protobuf, ids as bytes. */
function toProtobuf(request: Record<string, unknown>): Uint8Array {
  const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16)));
  const copy = structuredClone(request) as {
    resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
  };
  for (const span of copy.resourceSpans[0]!.scopeSpans[0]!.spans) {
    span.traceId = hex(span.traceId as string);
    span.spanId = hex(span.spanId as string);
    for (const link of span.links as Record<string, unknown>[]) {
      link.traceId = hex(link.traceId as string);
      link.spanId = hex(link.spanId as string);
    }
  }
  return Request.encode(Request.fromObject(copy)).finish();
}

function storedSpan(service: TestService): SpanRecord {
  service.flush();
  const trace = service.store.getTrace(TRACE_ID);
  assert.ok(trace !== undefined, "the span was stored");
  return trace.spans[0]!;
}

async function limitedMetrics(service: TestService): Promise<Record<string, number>> {
  const values = (await service.pipeline.metrics.limited.get()).values;
  return Object.fromEntries(values.map((v) => [String(v.labels.what), v.value]));
}

function assertFloodLimited(span: SpanRecord): void {
  assert.equal(span.service, "svc\uFFFDx", "NUL in service.name becomes U+FFFD, nothing cut");
  assert.equal(span.resource.length, 128);
  assert.equal(span.attributes.length, 128);
  // 1000 sent: 128 kept, "deep" dropped (so k128 is kept), 871 past the count, 5 the sender's.
  assert.equal(span.droppedAttributesCount, 1 + 871 + 5);
  const byKey = new Map(span.attributes.map((kv) => [kv.key, kv.value]));
  assert.equal(byKey.get("long")?.stringValue, "é".repeat(16_384));
  assert.equal(byKey.has("deep"), false);
  assert.equal(byKey.get("nul\uFFFDkey")?.stringValue, "a\uFFFDb");
  assert.equal(byKey.get("wide")?.arrayValue?.values.length, 128);
  assert.equal(byKey.has("k128"), true);
  assert.equal(span.events.length, 128);
  assert.equal(span.droppedEventsCount, 72);
  assert.equal(span.events[0]!.attributes.length, 128);
  assert.equal(span.events[0]!.droppedAttributesCount, 2);
  assert.equal(span.links.length, 128);
  assert.equal(span.droppedLinksCount, 22);
}

const EXPECTED_METRICS = {
  attributes: 373 + 1 + 871 + 128 * 2, // resource, deep, span, events' attributes
  events: 72,
  links: 22,
  entries: 172,
  too_deep: 1,
  truncated: 1,
};

Deno.test("OTLP ingest holds a flooded span to the limits, the same over protobuf and JSON", async (t) => {
  for (const encoding of ["protobuf", "json"] as const) {
    await t.step(encoding, async () => {
      const service = createTestService({ maxBodyBytes: 8 * 1024 * 1024 });
      try {
        const request = floodedRequest();
        const response = encoding === "json"
          ? await service.ingest.request("/v1/traces", jsonInit("POST", request))
          : await service.ingest.request("/v1/traces", {
            method: "POST",
            headers: { "content-type": "application/x-protobuf" },
            body: toProtobuf(request) as Uint8Array<ArrayBuffer>,
          });
        assert.equal(response.status, 200, await response.text());
        assertFloodLimited(storedSpan(service));
        assert.deepEqual(await limitedMetrics(service), EXPECTED_METRICS);
        const metrics = await (await service.query.request("/metrics")).text();
        assert.match(metrics, /tracing_ingest_limited_total\{what="attributes"\} 1501/);
      } finally {
        await service.close();
      }
    });
  }
});

Deno.test("the dropped counts survive the store and reach the v3 API", async () => {
  const service = createTestService({ maxBodyBytes: 8 * 1024 * 1024 });
  try {
    const response = await service.ingest.request("/v1/traces", jsonInit("POST", floodedRequest()));
    assert.equal(response.status, 200);
    service.flush();
    const v3 = await (await service.query.request(`/api/v3/traces/${TRACE_ID}`)).json();
    const span = v3.result.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.droppedAttributesCount, 877);
    assert.equal(span.droppedEventsCount, 72);
    assert.equal(span.droppedLinksCount, 22);
    assert.equal(span.events[0].droppedAttributesCount, 2);
  } finally {
    await service.close();
  }
});

Deno.test("limits are configurable: a span past small limits keeps what fits", async () => {
  const limits = { ...DEFAULT_INGEST_LIMITS, attributeCount: 2, valueLength: 3, eventCount: 0 };
  const service = createTestService({ limits, maxBodyBytes: 8 * 1024 * 1024 });
  try {
    const response = await service.ingest.request("/v1/traces", jsonInit("POST", floodedRequest()));
    assert.equal(response.status, 200);
    const span = storedSpan(service);
    assert.deepEqual(span.attributes.map((kv) => [kv.key, kv.value.stringValue]), [
      ["lon", "ééé"],
      ["nul", "a\uFFFDb"],
    ]);
    assert.equal(span.events.length, 0);
    assert.equal(span.droppedEventsCount, 200);
    // Keys are cut too: "service.name" is "ser" now (INGEST_ATTRIBUTE_VALUE_LENGTH_LIMIT is at
    // least 128, so a configured service never sees this).
    assert.equal(span.service, "unknown_service");
  } finally {
    await service.close();
  }
});

Deno.test("the span API follows the same limits: dropped and counted, not refused", async () => {
  const limits = { ...DEFAULT_INGEST_LIMITS, attributeCount: 3, valueLength: 5, eventCount: 1 };
  const service = createTestService({ limits, maxBodyBytes: 8 * 1024 * 1024 });
  try {
    const attributes: Record<string, unknown> = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`k${i}`, i]),
    );
    attributes.k0 = "0123456789";
    const started = await service.query.request(
      "/api/v1/spans",
      jsonInit("POST", { service: "api\u0000svc", name: "op", attributes }),
    );
    assert.equal(started.status, 201, await started.clone().text());
    const { span_id: spanId, trace_id: traceId } = await started.json();
    for (const name of ["first", "second", "third"]) {
      const added = await service.query.request(
        `/api/v1/spans/${spanId}/events`,
        jsonInit("POST", { name, attributes: { a: 1 } }),
      );
      assert.equal(added.status, 200);
    }
    const more = await service.query.request(
      `/api/v1/spans/${spanId}/attributes`,
      jsonInit("POST", { attributes: { k1: "new", extra: true } }),
    );
    assert.equal(more.status, 200);
    const ended = await service.query.request(`/api/v1/spans/${spanId}/end`, jsonInit("POST", {}));
    assert.equal(ended.status, 200);
    service.flush();
    const span = service.store.getTrace(traceId)!.spans[0]!;
    assert.equal(span.service, "api\uFFFDs");
    assert.deepEqual(span.attributes.map((kv) => kv.key), ["k0", "k1", "k2"]);
    assert.equal(span.attributes[0]!.value.stringValue, "01234");
    assert.equal(span.attributes[1]!.value.stringValue, "new");
    assert.equal(span.droppedAttributesCount, 7 + 1);
    assert.equal(span.events.length, 1);
    assert.equal(span.droppedEventsCount, 2);
    const counted = await limitedMetrics(service);
    assert.equal(counted.attributes, 8);
    assert.equal(counted.events, 2);
  } finally {
    await service.close();
  }
});

Deno.test("limitText() replaces NUL and cuts long text without splitting a surrogate pair", () => {
  const tally = emptyTally();
  const limits = { ...DEFAULT_INGEST_LIMITS, valueLength: 3 };
  assert.equal(limitText("a\u0000", limits, tally), "a\uFFFD");
  assert.equal(limitText("ab😀", limits, tally), "ab");
  assert.equal(cutText("a😀b", 3), "a😀");
  assert.equal(tally.truncated, 1);
});

/** `{"arrayValue":{"values":[ ... ]}}` nested `levels` deep, as JSON text (no recursion). */
function deepJsonValue(levels: number): string {
  return '{"arrayValue":{"values":['.repeat(levels) + '{"stringValue":"x"}' +
    "]}}".repeat(levels);
}

Deno.test("OTLP/JSON nested 10,000 levels, in a resource or a span attribute, is dropped and counted", async (t) => {
  const service = createTestService();
  try {
    const cases = {
      "a resource attribute": [`{"key":"deep","value":${deepJsonValue(10_000)}}`, "[]"],
      "a span attribute": ["[]", `{"key":"deep","value":${deepJsonValue(10_000)}}`],
    };
    let n = 0;
    for (const [where, [resource, span]] of Object.entries(cases)) {
      await t.step(where, async () => {
        const traceId = `${++n}`.repeat(32);
        const json = `{"resourceSpans":[{"resource":{"attributes":[` +
          `{"key":"service.name","value":{"stringValue":"deep"}}` +
          (resource === "[]" ? "" : `,${resource}`) +
          `]},"scopeSpans":[{"spans":[{"traceId":"${traceId}","spanId":"${SPAN_ID}",` +
          `"name":"op","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000001000000000","attributes":[` +
          (span === "[]" ? "" : span) + "]}]}]}]}";
        const response = await service.ingest.request("/v1/traces", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: json,
        });
        assert.equal(response.status, 200, await response.clone().text());
        assert.deepEqual(await response.json(), {}, "no partial success: the span is kept");
        service.flush();
        const stored = service.store.getTrace(traceId)!.spans[0]!;
        assert.equal(stored.service, "deep");
        assert.equal(stored.resource.some((kv) => kv.key === "deep"), false);
        assert.equal(stored.attributes.some((kv) => kv.key === "deep"), false);
        if (span !== "[]") assert.equal(stored.droppedAttributesCount, 1);
      });
    }
    assert.equal((await limitedMetrics(service)).too_deep, 2);
  } finally {
    await service.close();
  }
});

Deno.test("a NUL in a service name, span name or attribute is stored and shown as U+FFFD", async () => {
  const service = createTestService();
  try {
    const request = {
      resourceSpans: [{
        resource: {
          attributes: [{ key: "service.name", value: { stringValue: "pay\u0000ments" } }],
        },
        scopeSpans: [{
          spans: [{
            traceId: TRACE_ID,
            spanId: SPAN_ID,
            name: "GET\u0000/x",
            startTimeUnixNano: "1700000000000000000",
            endTimeUnixNano: "1700000001000000000",
            attributes: [{ key: "note", value: { stringValue: "abc\u0000def" } }],
          }],
        }],
      }],
    };
    const response = await service.ingest.request("/v1/traces", jsonInit("POST", request));
    assert.equal(response.status, 200);
    service.flush();
    // Read back through SQLite: the text columns (service, operation) and the JSON ones.
    const services = await (await service.query.request("/api/services")).json();
    assert.deepEqual(services.data, ["pay\uFFFDments"]);
    const span = service.store.getTrace(TRACE_ID)!.spans[0]!;
    assert.equal(span.service, "pay\uFFFDments");
    assert.equal(span.name, "GET\uFFFD/x");
    assert.equal(span.attributes[0]!.value.stringValue, "abc\uFFFDdef");
    const found = await (await service.query.request(
      `/api/traces?service=${encodeURIComponent("pay\uFFFDments")}`,
    )).json();
    assert.equal(found.data.length, 1);
    const html = await (await service.query.request(`/trace/${TRACE_ID}`)).text();
    assert.ok(html.includes("pay\uFFFDments") && html.includes("abc\uFFFDdef"));
    assert.ok(!html.includes("\u0000"));
  } finally {
    await service.close();
  }
});
