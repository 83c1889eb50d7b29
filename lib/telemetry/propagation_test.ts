import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { propagation, ROOT_CONTEXT, trace, TraceFlags } from "@opentelemetry/api";
import { parseTraceState } from "./trace_state.ts";
import { extractContext, injectContext } from "./propagation.ts";
import { installGlobals } from "./setup.ts";

installGlobals();

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;

function remoteParent(carrier: Record<string, unknown>) {
  return trace.getSpanContext(extractContext(carrier, ROOT_CONTEXT));
}

Deno.test("injectContext() and extractContext() round-trip traceparent, tracestate and baggage", () => {
  let context = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
    traceState: parseTraceState("vendor=value,other=1"),
  });
  context = propagation.setBaggage(
    context,
    propagation.createBaggage({ tenant: { value: "acme" }, "user id": { value: "a b" } }),
  );

  const carrier: Record<string, unknown> = {};
  injectContext(carrier, context);
  assert.equal(carrier.traceparent, TRACEPARENT);
  assert.equal(carrier.tracestate, "vendor=value,other=1");
  assert.equal(typeof carrier.baggage, "string");

  const extracted = extractContext(carrier, ROOT_CONTEXT);
  const parent = trace.getSpanContext(extracted);
  assert.equal(parent?.traceId, TRACE_ID);
  assert.equal(parent?.spanId, SPAN_ID);
  assert.equal(parent?.traceFlags, TraceFlags.SAMPLED);
  assert.equal(parent?.isRemote, true);
  assert.equal(parent?.traceState?.serialize(), "vendor=value,other=1");
  const baggage = propagation.getBaggage(extracted);
  assert.equal(baggage?.getEntry("tenant")?.value, "acme");
  assert.equal(baggage?.getEntry("user id")?.value, "a b");
});

Deno.test("injectContext() writes nothing without an active span", () => {
  const carrier: Record<string, unknown> = {};
  injectContext(carrier, ROOT_CONTEXT);
  assert.deepEqual(carrier, {});
});

Deno.test("extractContext() reads header values of every shape", async (t) => {
  await t.step("a Buffer", () => {
    assert.equal(remoteParent({ traceparent: Buffer.from(TRACEPARENT) })?.spanId, SPAN_ID);
  });
  await t.step("a Uint8Array", () => {
    const bytes = new TextEncoder().encode(TRACEPARENT);
    assert.equal(remoteParent({ traceparent: bytes })?.spanId, SPAN_ID);
  });
  await t.step("an array of strings", () => {
    assert.equal(remoteParent({ traceparent: [TRACEPARENT] })?.spanId, SPAN_ID);
  });
  await t.step("an array of buffers", () => {
    assert.equal(remoteParent({ traceparent: [Buffer.from(TRACEPARENT)] })?.spanId, SPAN_ID);
  });
  await t.step("a mixed-case header name", () => {
    assert.equal(remoteParent({ TraceParent: TRACEPARENT })?.spanId, SPAN_ID);
    assert.equal(remoteParent({ TRACEPARENT })?.spanId, SPAN_ID);
  });
  await t.step("baggage under a mixed-case name and as a Buffer", () => {
    const context = extractContext(
      { traceparent: TRACEPARENT, Baggage: Buffer.from("k=v") },
      ROOT_CONTEXT,
    );
    assert.equal(propagation.getBaggage(context)?.getEntry("k")?.value, "v");
  });
  await t.step("values of other types count as absent", () => {
    for (const value of [42, null, undefined, { a: 1 }, [1, 2], true]) {
      assert.equal(remoteParent({ traceparent: value }), undefined, String(value));
    }
  });
});

Deno.test("extractContext() ignores broken traceparent values and never throws", async (t) => {
  const broken: Record<string, string> = {
    "version ff": `ff-${TRACE_ID}-${SPAN_ID}-01`,
    "all-zero trace id": `00-${"0".repeat(32)}-${SPAN_ID}-01`,
    "all-zero span id": `00-${TRACE_ID}-${"0".repeat(16)}-01`,
    "short trace id": `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`,
    "long span id": `00-${TRACE_ID}-${SPAN_ID}0-01`,
    "short flags": `00-${TRACE_ID}-${SPAN_ID}-1`,
    "non-hex trace id": `00-${TRACE_ID.slice(0, 31)}g-${SPAN_ID}-01`,
    "non-hex flags": `00-${TRACE_ID}-${SPAN_ID}-zz`,
    "uppercase hex": `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`,
    "extra field in version 00": `00-${TRACE_ID}-${SPAN_ID}-01-extra`,
    "missing fields": `00-${TRACE_ID}`,
    "empty": "",
    "only dashes": "---",
    "garbage": "\u0000\uffff not a header 🙃",
    "very long": "0".repeat(10_000),
  };
  for (const [label, value] of Object.entries(broken)) {
    await t.step(label, () => {
      const context = extractContext({ traceparent: value, tracestate: "a=b" }, ROOT_CONTEXT);
      assert.equal(trace.getSpanContext(context), undefined);
    });
  }
  await t.step("a throwing header record", () => {
    const hostile = new Proxy({}, {
      ownKeys: () => {
        throw new Error("boom");
      },
      get: () => {
        throw new Error("boom");
      },
    });
    assert.equal(extractContext(hostile, ROOT_CONTEXT), ROOT_CONTEXT);
  });
});

Deno.test("extractContext() accepts a future version with extra fields", () => {
  const parent = remoteParent({ traceparent: `cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future` });
  assert.equal(parent?.traceId, TRACE_ID);
});

Deno.test("injectContext() swallows a carrier that refuses writes", () => {
  const context = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
  });
  const frozen = Object.freeze({});
  injectContext(frozen, context);
  assert.deepEqual(frozen, {});
});
