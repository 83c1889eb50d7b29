/**
 * An OTLP/HTTP endpoint that reads each export and throws it away, so the HTTP scenarios measure
 * what tracing costs the service and not what the receiver costs. `GET /health` answers with the
 * counts, which show the exports arrived.
 *
 *   PORT=4318 deno run --allow-net=127.0.0.1 --allow-env=PORT bench/otlp_discard_sink.ts
 */
let requests = 0;
let bytes = 0;
const empty = new Uint8Array(0);

Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.env.get("PORT") ?? 0) }, async (request) => {
  if (request.method === "GET") return Response.json({ requests, bytes });
  bytes += (await request.arrayBuffer()).byteLength;
  requests++;
  // An empty ExportTraceServiceResponse: full success, in either encoding.
  const json = request.headers.get("content-type")?.includes("json") ?? false;
  return new Response(json ? "{}" : empty, {
    headers: { "content-type": json ? "application/json" : "application/x-protobuf" },
  });
});
