import assert from "node:assert/strict";
import { startOrderUserPair, telemetryEnv } from "../e2e/_fixture.ts";
import { type SinkSpan, SpanKindNumber, startOtlpSink } from "../lib/testing/otlp_sink.ts";
import { LoadProcess } from "../lib/testing/load_process.ts";

Deno.test("deno task load starts traces with its CLIENT spans and marks them synthetic in every service", async () => {
  const sink = startOtlpSink();
  const env = telemetryEnv(sink.endpoint, "sdk");
  const pair = await startOrderUserPair(env);
  try {
    const load = new LoadProcess([
      "--rate=20",
      "--duration=2",
      `--user-url=${pair.user.url}`,
      `--order-url=${pair.order.url}`,
      // Equal weights: 40 draws leave out one of four scenarios once in about 25,000 runs (the
      // default mix left out create_user or order_unknown_user about once in 50).
      "--mix=create_user=1,get_user=1,order=1,order_unknown_user=1,send_high=0,send_normal=0,send_low=0,send_bulk=0",
    ], { ...env, OTEL_BSP_SCHEDULE_DELAY: "100" });
    const output = await load.finished();
    const stdout = output.summary;
    assert.equal(output.code, 0, output.progress);
    const rows = Object.fromEntries(
      stdout.split("\n").map((line) => line.trim().split(/\s+/)).map((cells) => [cells[0], cells]),
    );
    assert.equal(rows.total?.[1], "40", stdout);
    assert.equal(rows.total?.[2], "0", `no errors:\n${stdout}`);
    for (const scenario of ["create_user", "get_user", "order", "order_unknown_user"]) {
      assert.ok(rows[scenario], `a row for ${scenario}:\n${stdout}`);
    }

    const orderRoot = (spans: readonly SinkSpan[]) =>
      spans.find((s) =>
        s.service === "load" && s.kind === SpanKindNumber.CLIENT && s.parentSpanId === "" &&
        s.attributes["url.full"]?.toString().endsWith("/orders") &&
        spans.some((u) => u.traceId === s.traceId && u.service === "user")
      );
    await sink.waitFor((spans) => orderRoot(spans) !== undefined, 10_000);
    const root = orderRoot(sink.spans)!;
    const trace = sink.trace(root.traceId);
    assert.deepEqual(new Set(trace.map((s) => s.service)), new Set(["load", "order", "user"]));
    for (const span of trace) {
      assert.equal(span.attributes["synthetic_request"], "true", `${span.service} ${span.name}`);
    }
  } finally {
    await pair.stop();
    await sink.close();
  }
});
