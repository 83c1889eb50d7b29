import assert from "node:assert/strict";
import { startOtlpSink } from "../testing/otlp_sink.ts";
import { createExportProbe } from "./export_probe.ts";

function config(tracesEndpoint: string, protocol: "http/json" | "http/protobuf" = "http/json") {
  return { tracesEndpoint, protocol, headers: { authorization: "Bearer t" }, exportTimeoutMs: 500 };
}

Deno.test("createExportProbe() asks the collector with an empty export", async (t) => {
  const sink = startOtlpSink();
  try {
    const probe = createExportProbe(config(`${sink.endpoint}/v1/traces`));
    await t.step("true while the collector takes exports, storing nothing", async () => {
      assert.equal(await probe(), true);
      assert.equal(sink.spans.length, 0);
    });
    await t.step("false while it refuses them", async () => {
      sink.refuse = true;
      assert.equal(await probe(), false);
      sink.refuse = false;
    });
  } finally {
    await sink.close();
  }
});

Deno.test("createExportProbe() sends zero protobuf bytes with the configured headers", async () => {
  const seen: { type: string | null; auth: string | null; bytes: number }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    seen.push({
      type: req.headers.get("content-type"),
      auth: req.headers.get("authorization"),
      bytes: (await req.arrayBuffer()).byteLength,
    });
    return new Response(null, { status: 200 });
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}/v1/traces`;
    assert.equal(await createExportProbe(config(url, "http/protobuf"))(), true);
    assert.deepEqual(seen, [{ type: "application/x-protobuf", auth: "Bearer t", bytes: 0 }]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("createExportProbe() is false when nothing listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  assert.equal(await createExportProbe(config(`http://127.0.0.1:${port}/v1/traces`))(), false);
});
