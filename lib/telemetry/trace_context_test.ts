/**
 * `traceparent` and `tracestate` handling written from W3C Trace Context Level 2: "traceparent
 * Header Field Values", "trace-flags" (sampled, random, other flags), "Versioning of
 * traceparent", and the rule that a bad `tracestate` never affects `traceparent`.
 */
import assert from "node:assert/strict";
import { ROOT_CONTEXT, type SpanContext, trace } from "@opentelemetry/api";
import { suppressTracing } from "@opentelemetry/core";
import { extractContext, injectContext } from "./propagation.ts";
import { installGlobals } from "./setup.ts";
import { formatTraceParent, parseTraceParent } from "./trace_context.ts";
import { parseTraceState } from "./trace_state.ts";

installGlobals();

const TRACE_ID = "12345678901234567890123456789012";
const SPAN_ID = "1234567890123456";

function extract(headers: Record<string, unknown>): SpanContext | undefined {
  return trace.getSpanContext(extractContext(headers, ROOT_CONTEXT));
}

function inject(spanContext: SpanContext): Record<string, unknown> {
  const carrier: Record<string, unknown> = {};
  injectContext(carrier, trace.setSpanContext(ROOT_CONTEXT, spanContext));
  return carrier;
}

Deno.test("parseTraceParent() keeps the sampled and random flags and clears the others", async (t) => {
  const cases: [string, number][] = [["00", 0], ["01", 1], ["02", 2], ["03", 3], ["ff", 3], [
    "fc",
    0,
  ], ["05", 1]];
  for (const [flags, kept] of cases) {
    await t.step(`-${flags} gives ${kept}`, () => {
      const parsed = parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-${flags}`);
      assert.equal(parsed?.traceFlags, kept);
      assert.equal(parsed?.isRemote, true);
    });
  }
});

Deno.test("formatTraceParent() writes version 00 and only the flags it knows", () => {
  const format = (traceFlags: number) =>
    formatTraceParent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags });
  assert.equal(format(0x02), `00-${TRACE_ID}-${SPAN_ID}-02`);
  assert.equal(format(0x03), `00-${TRACE_ID}-${SPAN_ID}-03`);
  assert.equal(format(0xff), `00-${TRACE_ID}-${SPAN_ID}-03`);
});

Deno.test("parseTraceParent() follows the versioning rules", async (t) => {
  await t.step("a higher version is read for its first three fields", () => {
    for (const tail of ["", "-what-the-future-will-be-like"]) {
      const parsed = parseTraceParent(`cc-${TRACE_ID}-${SPAN_ID}-03${tail}`);
      assert.equal(parsed?.traceId, TRACE_ID, tail);
      assert.equal(parsed?.spanId, SPAN_ID);
      assert.equal(parsed?.traceFlags, 3);
    }
  });
  await t.step("a higher version whose flags are followed by other than a dash is refused", () => {
    assert.equal(parseTraceParent(`cc-${TRACE_ID}-${SPAN_ID}-01.what-the-future`), undefined);
  });
  await t.step("version 00 with anything after the flags is refused", () => {
    assert.equal(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-01-extra`), undefined);
    assert.equal(parseTraceParent(`00-${TRACE_ID}-${SPAN_ID}-01.`), undefined);
  });
  await t.step("version ff is refused", () => {
    assert.equal(parseTraceParent(`ff-${TRACE_ID}-${SPAN_ID}-01`), undefined);
  });
  await t.step("a version that is not two lowercase hex digits is refused", () => {
    for (const version of ["0", "000", ".0", "0.", "0A"]) {
      assert.equal(parseTraceParent(`${version}-${TRACE_ID}-${SPAN_ID}-01`), undefined, version);
    }
  });
  await t.step("surrounding spaces and tabs are optional whitespace", () => {
    assert.equal(parseTraceParent(`\t 00-${TRACE_ID}-${SPAN_ID}-01 \t`)?.traceId, TRACE_ID);
  });
});

Deno.test("extract then inject: the right flags out for the flags in", async (t) => {
  for (
    const [flagsIn, flagsOut] of [["00", "00"], ["01", "01"], ["02", "02"], ["03", "03"], [
      "ff",
      "03",
    ]]
  ) {
    await t.step(`-${flagsIn} goes out as -${flagsOut}`, () => {
      const parent = extract({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-${flagsIn}` })!;
      assert.equal(inject(parent).traceparent, `00-${TRACE_ID}-${SPAN_ID}-${flagsOut}`);
    });
  }
});

Deno.test("an invalid tracestate is dropped whole and traceparent still propagates", async (t) => {
  const invalid = [
    "foo=,bar=3",
    `foo=1,${"z".repeat(257)}=1`,
    Array.from({ length: 33 }, (_, i) => `k${i}=${i}`).join(","),
    "@foo=1,bar=2",
  ];
  for (const tracestate of invalid) {
    await t.step(tracestate.slice(0, 40), () => {
      const parent = extract({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate });
      assert.equal(parent?.traceId, TRACE_ID);
      assert.equal(parent?.traceState, undefined);
      const out = inject(parent!);
      assert.equal(out.traceparent, `00-${TRACE_ID}-${SPAN_ID}-01`);
      assert.equal("tracestate" in out, false, "no tracestate header at all");
    });
  }
});

Deno.test("tracestate is read only with a valid traceparent", () => {
  const parent = extract({ traceparent: `00-${"0".repeat(32)}-${SPAN_ID}-01`, tracestate: "a=1" });
  assert.equal(parent, undefined);
});

Deno.test("several tracestate fields are one list, in order", () => {
  const parent = extract({
    traceparent: `00-${TRACE_ID}-${SPAN_ID}-00`,
    tracestate: ["foo=1,bar=2", "", "rojo=1,congo=2", "baz=3"],
  });
  assert.equal(inject(parent!).tracestate, "foo=1,bar=2,rojo=1,congo=2,baz=3");
});

Deno.test("two traceparent fields are no parent", () => {
  const traceparent = [`00-${TRACE_ID}-${SPAN_ID}-01`, `00-${TRACE_ID}-${SPAN_ID}-01`];
  assert.equal(extract({ traceparent }), undefined);
});

Deno.test("an empty tracestate is never sent", async (t) => {
  await t.step("an incoming empty tracestate", () => {
    const parent = extract({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: " , " });
    assert.equal("tracestate" in inject(parent!), false);
  });
  await t.step("a list emptied by unset()", () => {
    const traceState = parseTraceState("a=1")!.unset("a");
    const out = inject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, traceState });
    assert.equal("tracestate" in out, false);
  });
});

Deno.test("nothing is injected with tracing suppressed", () => {
  const carrier: Record<string, unknown> = {};
  const context = trace.setSpanContext(suppressTracing(ROOT_CONTEXT), {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: 1,
  });
  injectContext(carrier, context);
  assert.deepEqual(carrier, {});
});
