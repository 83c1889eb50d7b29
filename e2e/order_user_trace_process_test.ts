/**
 * One POST /orders, followed across two real processes: the order SERVER span, its CLIENT call,
 * the user SERVER span and the database spans under each, all in one trace — in our SDK mode and
 * in Deno's built-in telemetry mode. The services export OTLP/protobuf (the default) to the
 * project's own tracing service, and the test reads the trace back from its Jaeger API.
 */
import assert from "node:assert/strict";
import { type SinkSpan, SpanKindNumber } from "../lib/testing/otlp_sink.ts";
import { startTracingProcess } from "../tracing/testing/service.ts";
import { requestJson } from "../lib/testing/http.ts";
import { startOrderUserPair } from "./_fixture.ts";
import { readTrace } from "./_trace_backend.ts";

const SERVER_ATTRIBUTES = [
  "http.request.method",
  "http.route",
  "url.path",
  "url.scheme",
  "http.response.status_code",
  "server.address",
  "server.port",
  "client.address",
  "user_agent.original",
];

for (const mode of ["sdk", "deno"] as const) {
  Deno.test(`POST /orders makes one trace across order and user (${mode} mode)`, async (t) => {
    const tracing = await startTracingProcess();
    const pair = await startOrderUserPair({
      OTEL_EXPORTER_OTLP_ENDPOINT: tracing.otlpEndpoint,
      OTEL_BSP_SCHEDULE_DELAY: "200",
      ...(mode === "deno" ? { OTEL_DENO: "true" } : {}),
    });
    try {
      const created = await requestJson(`${pair.user.url}/users`, {
        body: {
          username: "ada",
          email: "ada@example.com",
          full_name: "Ada Lovelace",
        },
      });
      assert.equal(created.status, 201);

      const order = await requestJson(`${pair.order.url}/orders`, {
        body: {
          username: "ada",
          item: "analytical engine",
          quantity: 2,
          unit_price: 12.5,
        },
      });
      assert.equal(order.status, 201, JSON.stringify(order.body));
      assert.equal(order.body.total, 25);
      const traceId = order.traceId;
      assert.match(traceId ?? "", /^[0-9a-f]{32}$/, "traceresponse carries the trace id");

      const find = (spans: readonly SinkSpan[], service: string, name: string) =>
        spans.find((s) => s.traceId === traceId && s.service === service && s.name === name);
      const spans = await readTrace(tracing, traceId!, 5);
      assert.equal(spans.length, 5, spans.map((s) => `${s.service} ${s.name}`).join(", "));
      const orderServer = find(spans, "order", "POST /orders")!;
      const orderClient = find(spans, "order", "GET")!;
      const userServer = find(spans, "user", "GET /users/:username")!;
      const userSelect = find(spans, "user", "SELECT users")!;
      const orderInsert = find(spans, "order", "INSERT orders")!;

      await t.step("spans form the tree order SERVER → CLIENT → user SERVER", () => {
        assert.equal(orderServer.kind, SpanKindNumber.SERVER);
        assert.equal(orderClient.kind, SpanKindNumber.CLIENT);
        assert.equal(userServer.kind, SpanKindNumber.SERVER);
        assert.equal(orderClient.parentSpanId, orderServer.spanId);
        assert.equal(userServer.parentSpanId, orderClient.spanId);
        assert.equal(new Set(spans.map((s) => s.traceId)).size, 1);
      });

      await t.step("database spans sit under their SERVER spans", () => {
        assert.equal(userSelect.parentSpanId, userServer.spanId);
        assert.equal(orderInsert.parentSpanId, orderServer.spanId);
        assert.equal(userSelect.kind, SpanKindNumber.CLIENT);
        assert.equal(userSelect.attributes["db.system.name"], "sqlite");
        assert.equal(userSelect.attributes["db.operation.name"], "SELECT");
        assert.equal(userSelect.attributes["db.collection.name"], "users");
        assert.match(String(userSelect.attributes["db.query.text"]), /username = \?/);
        assert.ok(!String(userSelect.attributes["db.query.text"]).includes("ada"));
      });

      await t.step("SERVER spans carry the HTTP semantic-convention attributes", () => {
        for (const span of [orderServer, userServer]) {
          for (const key of SERVER_ATTRIBUTES) {
            assert.ok(key in span.attributes, `${span.service} ${span.name} lacks ${key}`);
          }
        }
        assert.equal(orderServer.attributes["http.route"], "/orders");
        assert.equal(Number(orderServer.attributes["http.response.status_code"]), 201);
        assert.equal(userServer.attributes["http.route"], "/users/:username");
        assert.equal(userServer.attributes["url.path"], "/users/ada");
      });

      await t.step("the CLIENT span records the call", () => {
        assert.equal(orderClient.attributes["http.request.method"], "GET");
        assert.equal(orderClient.attributes["url.full"], `${pair.user.url}/users/ada`);
        assert.equal(Number(orderClient.attributes["http.response.status_code"]), 200);
        if (mode === "sdk") {
          assert.equal(orderClient.attributes["server.address"], "127.0.0.1");
          assert.equal(orderClient.attributes["server.port"], pair.user.port);
        }
      });

      await t.step("traceresponse names the order SERVER span", () => {
        assert.equal(order.spanId, orderServer.spanId);
      });

      await t.step("resource names each service", () => {
        assert.equal(orderServer.resource["service.name"], "order");
        assert.equal(userServer.resource["service.name"], "user");
        if (mode === "sdk") {
          for (const key of ["service.version", "service.instance.id", "host.name"]) {
            assert.ok(key in orderServer.resource, `resource lacks ${key}`);
          }
        }
      });

      await t.step("health reports the telemetry mode", async () => {
        const health = await (await fetch(`${pair.order.url}/health`)).json();
        assert.equal(health.telemetry.mode, mode);
      });
    } finally {
      const codes = await pair.stop();
      await tracing.stop();
      assert.deepEqual(codes, { order: 0, user: 0 });
    }
  });
}
