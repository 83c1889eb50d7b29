import assert from "node:assert/strict";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { createTestTelemetry } from "../testing/telemetry.ts";
import { createTracedFetch, FetchTimeoutError } from "./traced_fetch.ts";

interface TestServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function serve(handler: (request: Request) => Response | Promise<Response>): TestServer {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  const port = server.addr.port;
  return { url: `http://127.0.0.1:${port}`, port, close: () => server.shutdown() };
}

/** A port that nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function setup(timeoutMs = 2000) {
  const { telemetry, exporter } = createTestTelemetry();
  const fetch = createTracedFetch({ ...telemetry, timeoutMs });
  const only = () => {
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 1, `expected one span, got ${spans.map((s) => s.name)}`);
    return spans[0]!;
  };
  return { fetch, only, exporter };
}

Deno.test("createTracedFetch() makes a CLIENT span and injects its context", async () => {
  const received: (string | null)[] = [];
  const server = serve((request) => {
    received.push(request.headers.get("traceparent"));
    return Response.json({ ok: true }, { status: 201 });
  });
  try {
    const { fetch, only } = setup();
    const response = await fetch(`${server.url}/things?q=1`, {
      method: "post",
      headers: { "x-custom": "kept" },
    });
    assert.equal(response.status, 201);
    assert.deepEqual(await response.json(), { ok: true });

    const span = only();
    assert.equal(span.name, "POST");
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    assert.deepEqual(span.attributes, {
      "http.request.method": "POST",
      "url.full": `${server.url}/things?q=1`,
      "server.address": "127.0.0.1",
      "server.port": server.port,
      "http.response.status_code": 201,
    });
    const { traceId, spanId } = span.spanContext();
    // Sampled, and random: this process started the trace with a random trace id (Level 2).
    assert.deepEqual(received, [`00-${traceId}-${spanId}-03`]);
  } finally {
    await server.close();
  }
});

Deno.test("createTracedFetch() gives each call under a parent that records nothing its own parent-id", async () => {
  const received: { traceparent: string | null; custom: string | null }[] = [];
  const server = serve((request) => {
    received.push({
      traceparent: request.headers.get("traceparent"),
      custom: request.headers.get("x-custom"),
    });
    return new Response("ok");
  });
  try {
    const { telemetry, exporter } = createTestTelemetry();
    const fetch = createTracedFetch({ ...telemetry, timeoutMs: 2000 });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const spanId = "00f067aa0ba902b7";
    // A request this process does not record: the caller did not sample it (random flag only).
    const remote = trace.setSpanContext(context.active(), {
      traceId,
      spanId,
      traceFlags: 0x02,
      isRemote: true,
    });
    const serverSpan = telemetry.tracer.startSpan("GET /x", { kind: SpanKind.SERVER }, remote);
    assert.equal(serverSpan.isRecording(), false);
    await context.with(trace.setSpan(remote, serverSpan), async () => {
      for (let i = 0; i < 3; i++) {
        const response = await fetch(server.url, { headers: { "x-custom": "kept" } });
        assert.equal(await response.text(), "ok");
      }
    });
    assert.deepEqual(exporter.getFinishedSpans(), [], "nothing recorded under an unsampled parent");
    assert.deepEqual(received.map((r) => r.custom), ["kept", "kept", "kept"]);
    const parents = received.map((r) => {
      const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(r.traceparent ?? "");
      assert.ok(match, `a version-00 traceparent, got ${r.traceparent}`);
      assert.equal(match[1], traceId, "same trace");
      assert.equal(match[3], "02", "not sampled, random flag kept");
      return match[2];
    });
    assert.equal(new Set(parents).size, 3, `three parent-ids, got ${parents}`);
    assert.ok(!parents.includes(spanId), "none is the caller's span id");
    assert.ok(!parents.includes(serverSpan.spanContext().spanId), "none is the SERVER span's id");
  } finally {
    await server.close();
  }
});

Deno.test("createTracedFetch() keeps the caller's headers", async () => {
  let custom: string | null = null;
  const server = serve((request) => {
    custom = request.headers.get("x-custom");
    return new Response("ok");
  });
  try {
    const { fetch } = setup();
    const response = await fetch(server.url, { headers: { "x-custom": "kept" } });
    assert.equal(await response.text(), "ok");
    assert.equal(custom, "kept");
  } finally {
    await server.close();
  }
});

Deno.test("createTracedFetch() marks a 5xx answer as ERROR", async () => {
  const server = serve(() => new Response("down", { status: 503 }));
  try {
    const { fetch, only } = setup();
    const response = await fetch(`${server.url}/x`);
    assert.equal(response.status, 503);
    await response.body?.cancel();
    assert.equal(only().status.code, SpanStatusCode.ERROR);
    assert.equal(only().attributes["http.response.status_code"], 503);
    assert.equal(only().attributes["error.type"], "503");
  } finally {
    await server.close();
  }
});

Deno.test("createTracedFetch() gives up on a slow server with FetchTimeoutError", async () => {
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const server = serve(async () => {
    await released;
    return new Response("late");
  });
  try {
    const { fetch, only } = setup(5000);
    const error = await fetch(`${server.url}/slow`, { timeoutMs: 100 }).then(
      () => assert.fail("expected a timeout"),
      (error: unknown) => error,
    );
    assert.ok(error instanceof FetchTimeoutError, String(error));
    assert.equal(error.message, `Request to ${server.url}/slow timed out after 100 ms`);
    const span = only();
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes["error.type"], "FetchTimeoutError");
    assert.equal(span.events.filter((event) => event.name === "exception").length, 1);
  } finally {
    release();
    await server.close();
  }
});

Deno.test("createTracedFetch() records a refused connection", async () => {
  const port = closedPort();
  const { fetch, only } = setup();
  await assert.rejects(fetch(`http://127.0.0.1:${port}/x`), TypeError);
  const span = only();
  assert.equal(span.status.code, SpanStatusCode.ERROR);
  assert.equal(span.attributes["error.type"], "TypeError");
  assert.equal(span.attributes["server.port"], port);
  assert.equal(span.attributes["http.response.status_code"], undefined);
  assert.equal(span.events.filter((event) => event.name === "exception").length, 1);
});

Deno.test("createTracedFetch() redacts credentials in url.full", async () => {
  const port = closedPort();
  const { fetch, only } = setup();
  await assert.rejects(fetch(`http://me:secret@127.0.0.1:${port}/x`));
  assert.equal(only().attributes["url.full"], `http://REDACTED:REDACTED@127.0.0.1:${port}/x`);
});
