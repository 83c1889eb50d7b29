/**
 * Traces across Go and our HTTP services: a Go client (interop/go: the OpenTelemetry Go SDK and
 * otelhttp) whose CLIENT span is the root of an order → user trace, and a Go user service in our
 * user's place, called by our order. Every process exports OTLP/protobuf to our tracing service,
 * which forwards it to a real Jaeger v2, and the test checks each trace in both query APIs.
 */
import assert from "node:assert/strict";
import { requestJson } from "../lib/testing/http.ts";
import { type SinkSpan, SpanKindNumber } from "../lib/testing/otlp_sink.ts";
import { startProcess, startServiceProcess } from "../lib/testing/service_process.ts";
import { startOrderUserPair } from "./_fixture.ts";
import { buildGoPeers, runPeer } from "./_peers.ts";
import { readTrace, type TraceSource } from "./_trace_backend.ts";
import { startTracingWithJaeger, type TelemetryMode } from "./_tracing_with_jaeger.ts";

const ADA = { username: "ada", email: "ada@example.com", full_name: "Ada Lovelace" };

function one(spans: readonly SinkSpan[], service: string, name: string): SinkSpan {
  const found = spans.filter((s) => s.service === service && s.name === name);
  assert.equal(
    found.length,
    1,
    `expected one "${name}" span of ${service} in ${
      spans.map((s) => `${s.service}: ${s.name}`).join(", ")
    }`,
  );
  return found[0]!;
}

/** What the Go order client printed, with our services and both stores still running. */
interface GoClientRun {
  result: Record<string, unknown>;
  orderUrl: string;
  stores: readonly (readonly [string, TraceSource])[];
}

/** Starts both stores, user and order in `mode`, runs the Go client once, then `check`s. */
async function withGoClientOrder(
  mode: TelemetryMode,
  check: (run: GoClientRun) => Promise<void>,
): Promise<void> {
  const peers = await buildGoPeers();
  const backends = await startTracingWithJaeger();
  let codes: Record<string, number> | undefined;
  try {
    const pair = await startOrderUserPair(backends.exportEnv(mode));
    try {
      assert.equal((await requestJson(`${pair.user.url}/users`, { body: ADA })).status, 201);
      const result = await runPeer(
        "Go order client",
        [peers.orderClient, "-url", pair.order.url, "-username", "ada", "-quantity", "2"],
        { env: { ...backends.exportEnv(), OTEL_SERVICE_NAME: "go-order-client" } },
      );
      assert.equal(result.status, 201, JSON.stringify(result.body));
      await check({ result, orderUrl: pair.order.url, stores: backends.stores });
    } finally {
      codes = await pair.stop();
    }
  } finally {
    await backends.stop();
  }
  assert.deepEqual(codes, { order: 0, user: 0 });
}

Deno.test("a Go client's span is the root of an order → user trace", async (t) => {
  await withGoClientOrder("sdk", async ({ result, orderUrl, stores }) => {
    const traceId = String(result.trace_id);
    for (const [store, source] of stores) {
      await t.step(`one trace Go CLIENT → order → user in ${store}`, async () => {
        const spans = await readTrace(source, traceId, 6);
        assert.equal(spans.length, 6, spans.map((s) => `${s.service}: ${s.name}`).join(", "));
        const goClient = one(spans, "go-order-client", "POST");
        const orderServer = one(spans, "order", "POST /orders");
        const orderClient = one(spans, "order", "GET");
        const userServer = one(spans, "user", "GET /users/:username");
        const userSelect = one(spans, "user", "SELECT users");
        const orderInsert = one(spans, "order", "INSERT orders");

        assert.equal(goClient.kind, SpanKindNumber.CLIENT);
        assert.equal(goClient.parentSpanId, "", "the Go CLIENT span is the trace's root");
        assert.equal(goClient.spanId, result.span_id);
        assert.equal(goClient.resource["telemetry.sdk.language"], "go");
        assert.equal(goClient.attributes["http.request.method"], "POST");
        assert.equal(goClient.attributes["url.full"], `${orderUrl}/orders`);
        assert.equal(Number(goClient.attributes["http.response.status_code"]), 201);

        assert.equal(orderServer.kind, SpanKindNumber.SERVER);
        assert.equal(orderServer.parentSpanId, goClient.spanId, "order continues the Go span");
        assert.notEqual(orderServer.resource["telemetry.sdk.language"], "go");
        assert.equal(orderClient.kind, SpanKindNumber.CLIENT);
        assert.equal(orderClient.parentSpanId, orderServer.spanId);
        assert.equal(userServer.kind, SpanKindNumber.SERVER);
        assert.equal(userServer.parentSpanId, orderClient.spanId);
        assert.equal(userSelect.parentSpanId, userServer.spanId);
        assert.equal(orderInsert.parentSpanId, orderServer.spanId);
      });
    }
  });
});

// Go's net/http sends the header as `Traceparent`; Deno 2.9.6's Deno.serve hands HTTP/1 header
// names to its propagator as spelled on the wire and finds no `traceparent` (fixed upstream in
// denoland/deno#36840, which 2.9.6 does not have). Pinned, so that an upgrade that mends it shows.
Deno.test("a Go client's trace does not continue into order in Deno telemetry mode", async (t) => {
  await withGoClientOrder("deno", async ({ result, stores }) => {
    const goTrace = String(result.trace_id);
    const [, orderTrace, orderSpan] = String(result.traceresponse).split("-");
    assert.match(orderTrace ?? "", /^[0-9a-f]{32}$/, "order answers with a traceresponse");
    assert.notEqual(orderTrace, goTrace, "order started a trace of its own");
    for (const [store, source] of stores) {
      await t.step(`order's SERVER span is a new root in ${store}`, async () => {
        const spans = await readTrace(source, orderTrace!, 5);
        const orderServer = one(spans, "order", "POST /orders");
        assert.equal(orderServer.spanId, orderSpan);
        assert.equal(orderServer.parentSpanId, "");
        // Order's spans are stored by now: the Go trace holds the Go span alone.
        const goSpans = await readTrace(source, goTrace, 1);
        assert.deepEqual(goSpans.map((s) => `${s.service}: ${s.name}`), ["go-order-client: POST"]);
      });
    }
  });
});

for (const mode of ["sdk", "deno"] as const) {
  Deno.test(`our order calls a Go user service in one trace (${mode} telemetry)`, async (t) => {
    const peers = await buildGoPeers();
    const backends = await startTracingWithJaeger();
    const env = backends.exportEnv();
    const dataDir = await Deno.makeTempDir({ prefix: "interop-go-" });
    const codes: Record<string, number> = {};
    try {
      const goUser = await startProcess({
        name: "Go user service",
        command: [peers.userService],
        env: { ...env, OTEL_SERVICE_NAME: "user-go" },
      });
      try {
        const order = await startServiceProcess({
          service: "order",
          dataDir,
          env: { ...backends.exportEnv(mode), USER_SERVICE_URL: goUser.url },
        });
        try {
          assert.equal((await requestJson(`${goUser.url}/users`, { body: ADA })).status, 201);
          const created = await requestJson(`${order.url}/orders`, {
            body: { username: "ada", item: "difference engine", quantity: 1, unit_price: 3 },
          });
          assert.equal(created.status, 201, JSON.stringify(created.body));
          const refused = await requestJson(`${order.url}/orders`, {
            body: { username: "nobody", item: "loom", quantity: 1, unit_price: 1 },
          });
          assert.equal(refused.status, 422, JSON.stringify(refused.body));
          assert.equal(refused.body.error.code, "unknown_user");

          for (const [store, source] of backends.stores) {
            await t.step(`one trace order → Go user in ${store}`, async () => {
              const spans = await readTrace(source, created.traceId!, 4);
              assert.equal(spans.length, 4, spans.map((s) => `${s.service}: ${s.name}`).join(", "));
              const orderServer = one(spans, "order", "POST /orders");
              const orderClient = one(spans, "order", "GET");
              const goServer = one(spans, "user-go", "GET /users/{username}");
              const orderInsert = one(spans, "order", "INSERT orders");

              assert.equal(orderServer.parentSpanId, "");
              assert.equal(orderClient.kind, SpanKindNumber.CLIENT);
              assert.equal(orderClient.parentSpanId, orderServer.spanId);
              assert.equal(goServer.kind, SpanKindNumber.SERVER);
              assert.equal(
                goServer.parentSpanId,
                orderClient.spanId,
                "Go continues order's CLIENT",
              );
              assert.equal(goServer.resource["telemetry.sdk.language"], "go");
              assert.equal(goServer.attributes["url.path"], "/users/ada");
              assert.equal(Number(goServer.attributes["http.response.status_code"]), 200);
              assert.equal(goServer.statusCode, 0);
              assert.equal(orderInsert.parentSpanId, orderServer.spanId);
            });

            await t.step(`the unknown user's 404 from Go in ${store}`, async () => {
              const spans = await readTrace(source, refused.traceId!, 3);
              const goServer = one(spans, "user-go", "GET /users/{username}");
              assert.equal(goServer.parentSpanId, one(spans, "order", "GET").spanId);
              assert.equal(Number(goServer.attributes["http.response.status_code"]), 404);
            });
          }

          const logged = goUser.logs.find((log) => log.msg === "User found");
          assert.equal(logged?.trace_id, created.traceId, "the Go service logs the trace id");
        } finally {
          codes.order = await order.stop();
        }
      } finally {
        codes.goUser = await goUser.stop();
      }
    } finally {
      await backends.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
    assert.deepEqual(codes, { order: 0, goUser: 0 });
  });
}

Deno.test("the Go user service answers as our user service does", async (t) => {
  const peers = await buildGoPeers();
  const dataDir = await Deno.makeTempDir({ prefix: "interop-go-contract-" });
  const quiet = { OTEL_SDK_DISABLED: "true" };
  const ours = await startServiceProcess({ service: "user", dataDir, env: quiet });
  const codes: Record<string, number> = {};
  try {
    const goUser = await startProcess({
      name: "Go user service",
      command: [peers.userService],
      env: quiet,
    });
    try {
      // Our user service is the oracle: same status, error code, headers and record.
      const requests: [string, string, unknown?][] = [
        ["POST", "/users", ADA],
        ["POST", "/users", ADA],
        ["GET", "/users/ada"],
        ["GET", "/users/nobody"],
        ["GET", "/users/Not-Valid"],
        ["GET", "/users/ab"],
        ["POST", "/users", "{not json"],
        ["POST", "/users", { ...ADA, username: "bob", email: "not an address" }],
        ["POST", "/users", { ...ADA, username: "bob", full_name: "  " }],
        ["POST", "/users", { ...ADA, username: "bob", extra: 1 }],
        ["GET", "/health"],
      ];
      for (const [method, path, body] of requests) {
        await t.step(
          `${method} ${path} ${body === undefined ? "" : JSON.stringify(body)}`,
          async () => {
            const expected = await requestJson(`${ours.url}${path}`, { method, body });
            const actual = await requestJson(`${goUser.url}${path}`, { method, body });
            assert.equal(actual.status, expected.status);
            assert.equal(actual.headers.get("content-type")?.split(";")[0], "application/json");
            assert.equal(actual.headers.get("location"), expected.headers.get("location"));
            assert.equal(actual.body.error?.code, expected.body.error?.code);
            if (path.startsWith("/users") && expected.status < 300) {
              assert.deepEqual(Object.keys(actual.body).sort(), Object.keys(expected.body).sort());
              for (const key of ["username", "email", "full_name"]) {
                assert.equal(actual.body[key], expected.body[key], key);
              }
            }
          },
        );
      }
    } finally {
      codes.goUser = await goUser.stop();
    }
  } finally {
    codes.user = await ours.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
  assert.deepEqual(codes, { goUser: 0, user: 0 });
});
