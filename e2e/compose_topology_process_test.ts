import assert from "node:assert/strict";
import { connectOrFail } from "../lib/testing/amqp.ts";
import { requestJson } from "../lib/testing/http.ts";
import type { JaegerJsonTrace, JaegerProcess } from "../lib/testing/jaeger.ts";
import { type SinkSpan, SpanKindNumber } from "../lib/testing/otlp_sink.ts";
import { REPO_ROOT } from "../lib/testing/service_process.ts";
import { waitFor } from "../lib/testing/wait.ts";
import { readCompose, startComposeTopology } from "./_compose_topology.ts";
import { curlRequestsAfter } from "./_readme_requests.ts";
import { toSinkSpans } from "./_trace_backend.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** Waits until Jaeger's copy of the trace has the shape `find` looks for; returns what it found. */
async function inJaeger<T>(
  jaeger: JaegerProcess,
  traceId: string,
  what: string,
  find: (spans: SinkSpan[]) => T | undefined,
): Promise<T> {
  let last: SinkSpan[] = [];
  return await waitFor(
    () =>
      `Jaeger to hold ${what} in trace ${traceId}; it has ${
        JSON.stringify(last.map((span) => `${span.service} ${span.name}`))
      }`,
    async () => {
      const { status, body } = await jaeger.get(`/api/traces/${traceId}`);
      if (status !== 200) return undefined;
      last = toSinkSpans((body as { data: JaegerJsonTrace[] }).data[0]!);
      return find(last);
    },
    // Services batch spans for up to 5 s (compose leaves OTEL_BSP_SCHEDULE_DELAY at its
    // default), then the tracing service forwards them.
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

function one(spans: SinkSpan[], predicate: (span: SinkSpan) => boolean): SinkSpan | undefined {
  const found = spans.filter(predicate);
  return found.length === 1 ? found[0] : undefined;
}

/** Published `host port` → `service:container port`, as compose's `ports:` maps them. */
function publishedPorts(compose: Json): Map<string, string> {
  const published = new Map<string, string>();
  for (const [name, service] of Object.entries<Json>(compose.services)) {
    for (const port of service.ports ?? []) {
      const parts = String(port).split(":");
      published.set(parts.at(-2)!, `${name}:${parts.at(-1)}`);
    }
  }
  return published;
}

Deno.test("compose.yaml's services, run as processes with its environment, trace into Jaeger", async () => {
  await (await connectOrFail()).close();
  const compose = readCompose();
  const names = (service: string) =>
    String(compose.services[service].environment.OTEL_SERVICE_NAME);
  const queue = String(compose.services.producer.environment.QUEUE_NAME);
  const topology = await startComposeTopology(compose);
  try {
    // The README's "Try it", sent where compose publishes those ports.
    const readme = await Deno.readTextFile(`${REPO_ROOT}README.md`);
    const published = publishedPorts(compose);
    let orderTraceId: string | undefined;
    for (const request of curlRequestsAfter(readme, "Try it")) {
      const url = new URL(`http://${request.url.replace(/^https?:\/\//, "")}`);
      const address = topology.addresses.get(published.get(url.port) ?? "");
      assert.ok(address !== undefined, `compose.yaml publishes nothing on ${url.port}`);
      const response = await requestJson(`http://${address}${url.pathname}`, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      assert.equal(response.status, 201, `${request.method} ${request.url}: ${response.status}`);
      if (url.pathname === "/orders") orderTraceId = response.traceId;
    }
    assert.ok(orderTraceId !== undefined, "the README's Try it creates an order");

    const producer = topology.services.producer!;
    const sent = await requestJson(`${producer.url}/send`, {
      body: { content: "through compose", priority: "high" },
    });
    assert.equal(sent.status, 202);
    const messageTraceId = String(sent.body.trace_id);

    // order → user, as Jaeger stored it.
    const [order, user] = [names("order"), names("user")];
    const http = await inJaeger(topology.jaeger, orderTraceId, "order → user", (spans) => {
      const server = one(spans, (s) => s.service === order && s.kind === SpanKindNumber.SERVER);
      const client = one(
        spans,
        (s) => s.service === order && s.kind === SpanKindNumber.CLIENT && s.name === "GET",
      );
      const callee = one(spans, (s) => s.service === user && s.kind === SpanKindNumber.SERVER);
      return server && client && callee ? { spans, server, client, callee } : undefined;
    });
    assert.equal(http.server.name, "POST /orders");
    assert.equal(http.server.parentSpanId, "", "POST /orders is the root");
    assert.equal(http.client.parentSpanId, http.server.spanId);
    assert.equal(http.callee.name, "GET /users/:username");
    assert.equal(http.callee.parentSpanId, http.client.spanId);
    assert.equal(http.server.attributes["http.response.status_code"], 201);
    assert.equal(http.callee.attributes["http.response.status_code"], 200);
    for (const span of http.spans) {
      assert.notEqual(span.statusCode, 2, `${span.service} ${span.name} is not an error`);
      assert.ok([order, user].includes(span.service), `${span.service} ${span.name}`);
    }

    // producer → RabbitMQ → consumer.
    const [producerName, consumerName] = [names("producer"), names("consumer")];
    const messaging = await inJaeger(
      topology.jaeger,
      messageTraceId,
      "producer → consumer",
      (spans) => {
        const server = one(spans, (s) => s.kind === SpanKindNumber.SERVER);
        const send = one(spans, (s) => s.kind === SpanKindNumber.PRODUCER);
        const process = one(spans, (s) => s.kind === SpanKindNumber.CONSUMER);
        return server && send && process ? { server, send, process } : undefined;
      },
    );
    assert.equal(messaging.server.service, producerName);
    assert.equal(messaging.server.name, "POST /send");
    assert.equal(messaging.send.service, producerName);
    assert.equal(messaging.send.name, `send ${queue}`);
    assert.equal(messaging.send.parentSpanId, messaging.server.spanId);
    assert.equal(messaging.process.service, consumerName);
    assert.equal(messaging.process.name, `process ${queue}`);
    assert.equal(messaging.process.parentSpanId, messaging.send.spanId);
    assert.equal(messaging.process.attributes["messaging.rabbitmq.outcome"], "processed");
    assert.equal(messaging.process.statusCode, 0);

    // The tracing service's own spans go to Jaeger directly, under its compose name.
    const query = await requestJson(`${topology.services.tracing!.url}/api/services`);
    assert.equal(query.status, 200);
    assert.ok(query.traceId !== undefined, "the tracing service traces its query API");
    const own = await inJaeger(
      topology.jaeger,
      query.traceId,
      "the tracing service's span",
      (spans) => one(spans, (s) => s.kind === SpanKindNumber.SERVER),
    );
    assert.equal(own.service, names("tracing"));
    assert.equal(own.name, "GET /api/services");
  } finally {
    const codes = await topology.stop();
    assert.deepEqual(
      Object.values(codes),
      Object.keys(codes).map(() => 0),
      `exit codes: ${JSON.stringify(codes)}`,
    );
  }
});
