import assert from "node:assert/strict";
import {
  INVALID_SPAN_CONTEXT,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { Hono } from "hono";
import { httpServerTracing } from "./server_middleware.ts";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { HttpError } from "../http/errors.ts";
import { createLogger } from "../log.ts";
import { createServiceApp } from "../http/service_app.ts";
import { createTestTelemetry } from "../testing/telemetry.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";

function setup() {
  const { telemetry, exporter } = createTestTelemetry();
  const logs: string[] = [];
  const logger = createLogger({ service: "test", write: (line) => logs.push(line) });
  const { app } = createServiceApp({ service: "test", logger, telemetry, maxBodyBytes: 1024 });
  app.get("/things/:id", (c) => c.json({ id: c.req.param("id") }));
  app.get("/boom", () => {
    throw new Error("kaboom");
  });
  app.get("/bad", () => {
    throw new HttpError(400, "bad_thing", "Bad thing");
  });
  app.get("/unavailable", () => {
    throw new HttpError(503, "down", "Dependency down");
  });
  const spans = () => exporter.getFinishedSpans();
  const only = (): ReadableSpan => {
    const finished = spans();
    assert.equal(finished.length, 1, `expected one span, got ${finished.map((s) => s.name)}`);
    return finished[0]!;
  };
  return { app, spans, only, logs };
}

Deno.test("httpServerTracing() makes a SERVER span named by the route template", async () => {
  const { app, only } = setup();
  const response = await app.request("http://api.test:8080/things/42?verbose=1", {
    headers: { "user-agent": "probe/1.0" },
  }, { remoteAddr: { hostname: "10.1.2.3" } });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { id: "42" });

  const span = only();
  assert.equal(span.name, "GET /things/:id");
  assert.equal(span.kind, SpanKind.SERVER);
  assert.equal(span.status.code, SpanStatusCode.UNSET);
  assert.equal(span.parentSpanContext, undefined);
  assert.deepEqual(span.attributes, {
    "http.request.method": "GET",
    "http.route": "/things/:id",
    "url.path": "/things/42",
    "url.query": "verbose=1",
    "url.scheme": "http",
    "http.response.status_code": 200,
    "server.address": "api.test",
    "server.port": 8080,
    "user_agent.original": "probe/1.0",
    "client.address": "10.1.2.3",
  });
});

Deno.test("httpServerTracing() defaults server.port by scheme", async () => {
  const { app, only } = setup();
  const response = await app.request("https://api.test/things/1");
  await response.body?.cancel();
  assert.equal(only().attributes["server.port"], 443);
  assert.equal(only().attributes["url.scheme"], "https");
});

Deno.test("httpServerTracing() reads the URL parts without a URL parser", async (t) => {
  const cases: [string, Record<string, unknown>][] = [
    ["http://[::1]:3001/things/1?", {
      "server.address": "[::1]",
      "server.port": 3001,
      "url.path": "/things/1",
    }],
    ["http://[::1]/things/1", { "server.address": "[::1]", "server.port": 80 }],
    ["http://api.test:80/things/%C3%A9?a=1&b=%20", {
      "server.address": "api.test",
      "server.port": 80,
      "url.path": "/things/%C3%A9",
      "url.query": "a=1&b=%20",
    }],
  ];
  for (const [url, expected] of cases) {
    await t.step(url, async () => {
      const { app, only } = setup();
      const response = await app.request(url);
      await response.body?.cancel();
      const { attributes } = only();
      for (const [key, value] of Object.entries(expected)) assert.equal(attributes[key], value);
      if (url.endsWith("?")) assert.equal(attributes["url.query"], undefined);
    });
  }
});

Deno.test("httpServerTracing() does no attribute work for a span that does not record", async () => {
  const calls: string[] = [];
  const span = new Proxy(trace.wrapSpanContext(INVALID_SPAN_CONTEXT), {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return value.apply(target, args);
      };
    },
  });
  const tracer = { startSpan: () => span } as unknown as Tracer;
  const app = new Hono();
  app.use(httpServerTracing({ tracer, mode: "sdk" }));
  app.get("/", (c) => c.text("ok"));
  const response = await app.request("/");
  assert.equal(await response.text(), "ok");
  assert.deepEqual(calls.filter((name) => name !== "spanContext"), ["isRecording", "end"]);
});

Deno.test("httpServerTracing() continues a valid incoming traceparent", async () => {
  const { app, only } = setup();
  const response = await app.request("/things/1", {
    headers: { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` },
  });
  await response.body?.cancel();
  const span = only();
  assert.equal(span.spanContext().traceId, TRACE_ID);
  assert.equal(span.parentSpanContext?.spanId, SPAN_ID);
  assert.equal(span.parentSpanContext?.isRemote, true);
});

Deno.test("httpServerTracing() starts a new trace for a broken traceparent", async (t) => {
  for (
    const value of [
      `ff-${TRACE_ID}-${SPAN_ID}-01`,
      `00-${"0".repeat(32)}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${"0".repeat(16)}-01`,
      `00-${TRACE_ID}-${SPAN_ID}`,
      "garbage",
    ]
  ) {
    await t.step(value, async () => {
      const { app, only } = setup();
      const response = await app.request("/things/1", { headers: { traceparent: value } });
      assert.equal(response.status, 200);
      await response.body?.cancel();
      const span = only();
      assert.equal(span.parentSpanContext, undefined);
      assert.notEqual(span.spanContext().traceId, TRACE_ID);
      assert.match(span.spanContext().traceId, /^[0-9a-f]{32}$/);
    });
  }
});

Deno.test("httpServerTracing() answers with a traceresponse header naming the span", async () => {
  const { app, only } = setup();
  const response = await app.request("/things/1", {
    headers: { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` },
  });
  await response.body?.cancel();
  const { traceId, spanId } = only().spanContext();
  assert.equal(response.headers.get("traceresponse"), `00-${traceId}-${spanId}-01`);
  assert.match(response.headers.get("traceresponse") ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
});

Deno.test("httpServerTracing() records a response whose headers are immutable", async () => {
  const { app, only } = setup();
  app.get("/moved", () => Response.redirect("http://api.test/things/1", 302));
  const response = await app.request("/moved");
  assert.equal(response.status, 302);
  assert.equal(response.headers.get("traceresponse"), null);
  assert.equal(only().attributes["http.response.status_code"], 302);
});

Deno.test("httpServerTracing() sends no traceresponse for a request it does not record", async (t) => {
  const app = new Hono();
  // A tracer with no SDK behind it, as with OTEL_SDK_DISABLED: spans only carry the parent's ids.
  const tracer = new ProxyTracerProvider().getTracer("noop");
  app.use(httpServerTracing({ tracer, mode: "disabled" }));
  app.get("/", (c) => c.text("ok"));
  const traceresponse = async (headers: Record<string, string>) => {
    const response = await app.request("/", { headers });
    assert.equal(await response.text(), "ok");
    return response.headers.get("traceresponse");
  };
  await t.step("no traceparent", async () => {
    assert.equal(await traceresponse({}), null);
  });
  await t.step(
    "a sampled traceparent: the caller's span, not ours, so nothing to name",
    async () => {
      assert.equal(await traceresponse({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` }), null);
    },
  );
  await t.step("the SDK, with an unsampled traceparent (parent-based sampling)", async () => {
    const { app, spans } = setup();
    const response = await app.request("/things/1", {
      headers: { traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` },
    });
    assert.equal(response.status, 200);
    await response.body?.cancel();
    assert.equal(response.headers.get("traceresponse"), null);
    assert.deepEqual(spans(), []);
  });
});

Deno.test("httpServerTracing() marks a throwing handler's span as ERROR with one exception", async () => {
  const { app, only, logs } = setup();
  const response = await app.request("/boom");
  assert.equal(response.status, 500);
  assert.deepEqual(await response.json(), {
    error: { code: "internal_error", message: "Internal server error" },
  });
  const span = only();
  assert.equal(span.name, "GET /boom");
  assert.equal(span.status.code, SpanStatusCode.ERROR);
  assert.equal(span.status.message, "kaboom");
  assert.equal(span.attributes["http.response.status_code"], 500);
  assert.equal(span.attributes["error.type"], "Error");
  const exceptions = span.events.filter((event) => event.name === "exception");
  assert.equal(exceptions.length, 1);
  assert.equal(exceptions[0]?.attributes?.["exception.message"], "kaboom");
  const logged = logs.map((line) => JSON.parse(line)).find((l) => l.msg === "Unhandled error");
  assert.equal(logged?.level, "error");
  assert.equal(logged?.trace_id, span.spanContext().traceId);
});

Deno.test("httpServerTracing() marks a thrown 5xx HttpError as ERROR", async () => {
  const { app, only } = setup();
  const response = await app.request("/unavailable");
  assert.equal(response.status, 503);
  assert.deepEqual(await response.json(), { error: { code: "down", message: "Dependency down" } });
  assert.equal(only().status.code, SpanStatusCode.ERROR);
  assert.equal(only().attributes["error.type"], "HttpError");
});

Deno.test("httpServerTracing() leaves the status unset on 4xx", async (t) => {
  await t.step("a thrown 400", async () => {
    const { app, only } = setup();
    const response = await app.request("/bad");
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: { code: "bad_thing", message: "Bad thing" } });
    assert.equal(only().status.code, SpanStatusCode.UNSET);
    assert.equal(only().events.length, 0);
    assert.equal(only().attributes["error.type"], undefined);
  });
  await t.step("an unknown route answers 404 JSON under a span named by method", async () => {
    const { app, only } = setup();
    const response = await app.request("/nowhere", { method: "DELETE" });
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), {
      error: { code: "not_found", message: "No route for DELETE /nowhere" },
    });
    assert.equal(only().name, "DELETE");
    assert.equal(only().status.code, SpanStatusCode.UNSET);
    assert.equal(only().attributes["http.route"], undefined);
    assert.equal(only().attributes["http.response.status_code"], 404);
  });
});

Deno.test("httpServerTracing() names an unknown method's span HTTP", async () => {
  const { app, only } = setup();
  const response = await app.request("/things/1", { method: "PURGE" });
  await response.body?.cancel();
  assert.equal(only().name, "HTTP");
  assert.equal(only().attributes["http.request.method"], "_OTHER");
  assert.equal(only().attributes["http.request.method_original"], "PURGE");
});

Deno.test("httpServerTracing() does not trace /health, /ready and /metrics", async () => {
  const { app, spans } = setup();
  for (const path of ["/health", "/ready", "/metrics"]) {
    const response = await app.request(path);
    assert.equal(response.status, 200, path);
    await response.body?.cancel();
  }
  assert.deepEqual(spans().map((span) => span.name), []);
});

Deno.test("createServiceApp() keeps cache-control: no-store to the health routes", async () => {
  const { app } = setup();
  const response = await app.request("/things/1");
  await response.body?.cancel();
  assert.equal(response.headers.get("cache-control"), null);
});
