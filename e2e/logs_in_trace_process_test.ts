/**
 * Logs in the trace: real services ship their log records over OTLP to the project's own tracing
 * service, which stores them with their trace and span ids. An order for an unknown user and a
 * message that fails twice are read back with each log line under the span that wrote it; in
 * Deno's built-in mode (which exports console output itself) no record arrives twice.
 */
import assert from "node:assert/strict";
import { connectOrFail } from "../lib/testing/amqp.ts";
import { requestJson } from "../lib/testing/http.ts";
import { waitFor } from "../lib/testing/wait.ts";
import { startTracingProcess, type TracingProcess } from "../tracing/testing/service.ts";
import { startOrderUserPair } from "./_fixture.ts";
import { startMessaging } from "./_messaging.ts";

interface TraceLog {
  span_id: string;
  service: string;
  severity: string;
  body: string;
  attributes: Record<string, unknown>;
}
interface TraceSpan {
  span_id: string;
  name: string;
  kind: string;
  service: string;
  attributes: Record<string, unknown>;
}
interface OwnTrace {
  spans: TraceSpan[];
  logs: TraceLog[];
}

/** Ships logs and spans every 100 ms, so the test waits little. */
const FAST_EXPORT = { OTEL_BSP_SCHEDULE_DELAY: "100", OTEL_BLRP_SCHEDULE_DELAY: "100" };

/** Waits until the trace holds what `ready` asks for, and returns it. */
async function traceWith(
  tracing: TracingProcess,
  traceId: string,
  ready: (trace: OwnTrace) => boolean,
): Promise<OwnTrace> {
  let last: OwnTrace | undefined;
  await waitFor(`trace ${traceId} with its logs`, async () => {
    last = await tracing.ownTrace(traceId) as unknown as OwnTrace | undefined;
    return last !== undefined && ready(last);
  }, { timeoutMs: 20_000 }).catch((error) => {
    const seen = last?.logs.map((log) => `${log.service}: ${log.body}`).join("; ");
    throw new Error(`${error.message}; logs so far: ${seen ?? "none"}`);
  });
  return last!;
}

function logOf(trace: OwnTrace, service: string, body: string): TraceLog {
  const found = trace.logs.filter((log) => log.service === service && log.body === body);
  assert.equal(found.length, 1, `expected one "${body}" from ${service}, got ${found.length}`);
  return found[0]!;
}

function spanOf(trace: OwnTrace, service: string, name: string): TraceSpan[] {
  return trace.spans.filter((span) => span.service === service && span.name === name);
}

Deno.test("an order for an unknown user reads back with its log lines under the right spans", async () => {
  const tracing = await startTracingProcess();
  const pair = await startOrderUserPair({
    OTEL_EXPORTER_OTLP_ENDPOINT: tracing.otlpEndpoint,
    ...FAST_EXPORT,
  });
  try {
    const order = await requestJson(`${pair.order.url}/orders`, {
      body: { username: "nobody", item: "ghost", quantity: 1, unit_price: 1 },
    });
    assert.equal(order.status, 422, JSON.stringify(order.body));
    const traceId = order.traceId!;
    const has = (trace: OwnTrace, service: string, body: string) =>
      trace.logs.some((log) => log.service === service && log.body === body);
    const trace = await traceWith(
      tracing,
      traceId,
      (t) =>
        has(t, "order", "Unknown user; order refused") &&
        t.logs.filter((log) => log.body === "Request handled").length >= 2 &&
        t.spans.length >= 4,
    );

    const [orderServer] = spanOf(trace, "order", "POST /orders");
    const [userServer] = spanOf(trace, "user", "GET /users/:username");
    assert.ok(orderServer && userServer, trace.spans.map((s) => s.name).join(", "));

    const refused = logOf(trace, "order", "Unknown user; order refused");
    assert.equal(refused.severity, "WARN");
    assert.equal(refused.span_id, orderServer.span_id);
    assert.equal(refused.attributes.username, "nobody");

    const requests = trace.logs.filter((log) => log.body === "Request handled");
    const orderRequest = requests.find((log) => log.service === "order")!;
    assert.equal(orderRequest.severity, "INFO");
    assert.equal(orderRequest.span_id, orderServer.span_id);
    assert.deepEqual(
      [
        orderRequest.attributes.method,
        orderRequest.attributes.route,
        orderRequest.attributes.status,
      ],
      ["POST", "/orders", 422],
    );
    assert.equal(typeof orderRequest.attributes.duration_ms, "number");
    const userRequest = requests.find((log) => log.service === "user")!;
    assert.equal(userRequest.span_id, userServer.span_id);
    assert.equal(userRequest.attributes.status, 404);

    // The same records through the logs API, filtered as the Logs view does.
    const response = await fetch(
      `${tracing.queryUrl}/api/v1/logs?trace_id=${traceId}&service=order&level=warn`,
    );
    const found = await response.json();
    assert.deepEqual(found.logs.map((log: TraceLog) => log.body), ["Unknown user; order refused"]);

    const health = await (await fetch(`${pair.order.url}/health`)).json();
    assert.ok(health.telemetry.logs.exported >= 2, JSON.stringify(health.telemetry.logs));
    const metrics = await (await fetch(`${pair.order.url}/metrics`)).text();
    assert.match(metrics, /otel_sdk_log_records_total\{outcome="exported"\} [1-9]/);
  } finally {
    const codes = await pair.stop();
    await tracing.stop();
    assert.deepEqual(codes, { user: 0, order: 0 });
  }
});

Deno.test("a message that fails twice reads back with its retry and dead-letter lines", async () => {
  await (await connectOrFail()).close();
  const tracing = await startTracingProcess();
  const services = await startMessaging(tracing.otlpEndpoint, {
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    FAILURE_RATE: "1",
    MAX_RETRIES: "1",
    ...FAST_EXPORT,
  });
  try {
    const sent = await requestJson(`${services.producer.url}/send`, {
      body: { content: "doomed", priority: "high" },
    });
    assert.equal(sent.status, 202);
    const traceId = String(sent.body.trace_id);
    const trace = await traceWith(
      tracing,
      traceId,
      (t) =>
        t.logs.some((log) => log.body === "Message failed; dead-lettered") &&
        t.logs.some((log) => log.body === "Message failed; retry scheduled") &&
        t.logs.some((log) => log.service === "producer" && log.body === "Request handled") &&
        spanOf(t, "consumer", `process ${services.queue}`).length === 2,
    );

    const consumers = spanOf(trace, "consumer", `process ${services.queue}`);
    const attempt = (n: number) =>
      consumers.find((span) => span.attributes["messaging.rabbitmq.message.retry_count"] === n)!;
    assert.ok(attempt(0) && attempt(1), JSON.stringify(consumers.map((s) => s.attributes)));

    const retry = logOf(trace, "consumer", "Message failed; retry scheduled");
    assert.equal(retry.severity, "WARN");
    assert.equal(retry.span_id, attempt(0).span_id, "the retry decision is the first attempt's");
    assert.equal(retry.attributes.retry_count, 1);
    assert.equal(
      retry.attributes.reason,
      "SimulatedFailureError: Simulated processing failure (fault processing_errors, rate 1)",
    );

    const dead = logOf(trace, "consumer", "Message failed; dead-lettered");
    assert.equal(dead.severity, "ERROR");
    assert.equal(dead.span_id, attempt(1).span_id, "the dead letter is the second attempt's");
    assert.equal(dead.attributes.message_id, sent.body.message_id);

    const [producerServer] = spanOf(trace, "producer", "POST /send");
    const request = logOf(trace, "producer", "Request handled");
    assert.equal(request.span_id, producerServer!.span_id);
    assert.equal(request.attributes.status, 202);
  } finally {
    const codes = await services.stop();
    await tracing.stop();
    assert.deepEqual(codes, { producer: 0, consumer: 0 });
  }
});

Deno.test("in Deno's built-in mode each log record reaches the backend once", async () => {
  const tracing = await startTracingProcess();
  const pair = await startOrderUserPair({
    OTEL_EXPORTER_OTLP_ENDPOINT: tracing.otlpEndpoint,
    OTEL_DENO: "true",
    ...FAST_EXPORT,
  });
  let stopped = false;
  try {
    const order = await requestJson(`${pair.order.url}/orders`, {
      body: { username: "nobody", item: "ghost", quantity: 1, unit_price: 1 },
    });
    assert.equal(order.status, 422);
    const traceId = order.traceId!;
    const refusedIn = (t: OwnTrace) =>
      t.logs.filter((log) => String(log.body).includes("Unknown user; order refused"));
    await traceWith(tracing, traceId, (t) => refusedIn(t).length > 0);
    const health = await (await fetch(`${pair.order.url}/health`)).json();
    assert.equal(health.telemetry.mode, "deno");
    assert.equal(health.telemetry.logs, null, "our logs pipeline does not run beside Deno's");
    // Stopping flushes everything either exporter could still send; the last line written
    // ("Stopped") arriving means every earlier one has too.
    assert.deepEqual(await pair.stop(), { user: 0, order: 0 });
    stopped = true;
    const stoppedLines = async () => {
      const response = await fetch(`${tracing.queryUrl}/api/v1/logs?service=order&q=Stopped`);
      return (await response.json()).count as number;
    };
    await waitFor("order's last log line", async () => await stoppedLines() >= 1, {
      timeoutMs: 20_000,
    });
    const trace = await tracing.ownTrace(traceId) as unknown as OwnTrace;
    assert.equal(refusedIn(trace).length, 1, JSON.stringify(refusedIn(trace)));
    assert.equal(refusedIn(trace)[0]!.severity, "WARN", "console.warn keeps the level");
    assert.equal(await stoppedLines(), 1);
  } finally {
    if (!stopped) await pair.stop();
    await tracing.stop();
  }
});
