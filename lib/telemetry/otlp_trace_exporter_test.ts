import { ExportResultCode } from "@opentelemetry/core";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import root from "otlp-proto";
import assert from "node:assert/strict";
import { randomSpans } from "./_random_spans.ts";
import { OtlpProtobufTraceExporter } from "./otlp_trace_exporter.ts";

// deno-lint-ignore no-explicit-any -- the generated module has no types for the root object
const Request = (root as any).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const decode = (bytes: Uint8Array) =>
  Request.toObject(Request.decode(bytes), { longs: String, bytes: String, defaults: true });

/** A real OTLP/HTTP endpoint that keeps what it receives. */
function startReceiver() {
  const received: { headers: Headers; body: Uint8Array }[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    received.push({ headers: req.headers, body: new Uint8Array(await req.arrayBuffer()) });
    return new Response(new Uint8Array(0), {
      headers: { "content-type": "application/x-protobuf" },
    });
  });
  return { received, server, url: `http://127.0.0.1:${server.addr.port}/v1/traces` };
}

Deno.test("OtlpProtobufTraceExporter posts OTLP protobuf through the official transport", async (t) => {
  const receiver = startReceiver();
  try {
    for (const serializer of ["fast", "official"] as const) {
      await t.step(`with the ${serializer} serializer`, async () => {
        const exporter = new OtlpProtobufTraceExporter({
          url: receiver.url,
          headers: { authorization: "Bearer token" },
          timeoutMillis: 5000,
        }, serializer);
        const spans = randomSpans(42, 25);
        const code = await new Promise<ExportResultCode>((resolve) =>
          exporter.export(spans, (result) => resolve(result.code))
        );
        await exporter.shutdown();
        assert.equal(code, ExportResultCode.SUCCESS);
        const request = receiver.received.pop()!;
        assert.equal(request.headers.get("content-type"), "application/x-protobuf");
        assert.equal(request.headers.get("authorization"), "Bearer token");
        assert.deepStrictEqual(
          decode(request.body),
          decode(ProtobufTraceSerializer.serializeRequest(spans)!),
        );
      });
    }
  } finally {
    await receiver.server.shutdown();
  }
});
