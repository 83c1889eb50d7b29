/**
 * W3C Trace Context Level 2 over AMQP headers, against the real RabbitMQ: a message carries its
 * own parent-id even when nothing records it, and `tracestate` and the random flag survive
 * producer → broker → consumer, and the consumer's retry and dead-letter publishes.
 */
import assert from "node:assert/strict";
import { context, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { deadLetterName } from "./topology.ts";
import { connectOrFail, uniqueQueueName } from "../testing/amqp.ts";
import { waitFor } from "../testing/wait.ts";
import { startPair } from "../testing/amqp_pair.ts";
import { parseTraceState } from "../telemetry/trace_state.ts";

const encoder = new TextEncoder();
const TRACE_ID = "12345678901234567890123456789012";
const CALLER_SPAN = "1234567890123456";
const TRACESTATE = "congo=t61rcWkgMzE,foo@=1,rojo=00f067aa0ba902b7";

/** A remote caller's context with the given flags and our tracestate. */
function caller(flags: string) {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: CALLER_SPAN,
    traceFlags: parseInt(flags, 16),
    isRemote: true,
  });
}

interface Seen {
  traceparent: string;
  tracestate: string | undefined;
  /** The consumer's active span: its trace id, flags and tracestate. */
  active: { traceId: string; flags: number; tracestate: string | undefined };
}

function headerText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : new TextDecoder().decode(value as Uint8Array);
}

function parse(traceparent: string) {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent);
  assert.ok(match, `a version-00 traceparent, got ${traceparent}`);
  return { traceId: match[1]!, parentId: match[2]!, flags: match[3]! };
}

Deno.test("AMQP messages keep Level 2 trace context from producer to consumer", async (t) => {
  for (const flags of ["02", "03"]) {
    await t.step(`a request with -${flags} and a tracestate`, async () => {
      const queue = uniqueQueueName("level2");
      const seen: Seen[] = [];
      const pair = await startPair(queue, {
        handler: (message) => {
          const span = trace.getActiveSpan()!.spanContext();
          seen.push({
            traceparent: headerText(message.headers.traceparent)!,
            tracestate: headerText(message.headers.tracestate),
            active: {
              traceId: span.traceId,
              flags: span.traceFlags,
              tracestate: span.traceState?.serialize(),
            },
          });
          return Promise.resolve();
        },
      });
      try {
        const { tracer } = pair.telemetry;
        // The incoming request, with a tracestate our own parser must keep (`foo@`).
        const parent = caller(flags);
        const remote = trace.setSpanContext(parent, {
          ...trace.getSpanContext(parent)!,
          traceState: parseTraceState(TRACESTATE),
        });
        const server = tracer.startSpan("POST /messages", { kind: SpanKind.SERVER }, remote);
        assert.equal(server.isRecording(), flags === "03");
        await context.with(trace.setSpan(remote, server), async () => {
          for (let i = 0; i < 3; i++) {
            await pair.publisher.publish({ body: encoder.encode(`m${i}`), messageId: `m${i}` });
          }
        });
        server.end();
        await waitFor("three messages processed", () => pair.settled.length === 3);

        const parents = seen.map((s) => parse(s.traceparent));
        assert.deepEqual(parents.map((p) => p.traceId), [TRACE_ID, TRACE_ID, TRACE_ID]);
        assert.deepEqual(parents.map((p) => p.flags), [flags, flags, flags]);
        const ids = new Set(parents.map((p) => p.parentId));
        assert.equal(ids.size, 3, "each message its own parent-id");
        assert.ok(!ids.has(CALLER_SPAN) && !ids.has(server.spanContext().spanId));
        for (const s of seen) {
          assert.equal(s.tracestate, TRACESTATE);
          assert.deepEqual(s.active, {
            traceId: TRACE_ID,
            flags: parseInt(flags, 16),
            tracestate: TRACESTATE,
          });
        }
        const recorded = pair.exporter.getFinishedSpans();
        if (flags === "02") assert.deepEqual(recorded, [], "an unsampled trace records nothing");
        else {
          const sends = recorded.filter((span) => span.kind === SpanKind.PRODUCER);
          assert.deepEqual(
            new Set(sends.map((span) => span.spanContext().spanId)),
            ids,
            "the parent-ids are the recorded PRODUCER spans",
          );
          for (const span of recorded) assert.equal(span.spanContext().traceFlags, 0x03);
        }
      } finally {
        await pair.close();
      }
    });
  }
});

Deno.test("a retried and dead-lettered message stays in its trace with its tracestate", async () => {
  const queue = uniqueQueueName("level2-retry");
  const seen: string[] = [];
  const pair = await startPair(queue, {
    maxRetries: 1,
    handler: (message) => {
      seen.push(headerText(message.headers.traceparent)!);
      return Promise.reject(new Error("boom"));
    },
  });
  const model = await connectOrFail();
  try {
    const { tracer } = pair.telemetry;
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE_ID,
      spanId: CALLER_SPAN,
      traceFlags: 0x03,
      isRemote: true,
      traceState: parseTraceState(TRACESTATE),
    });
    await tracer.startActiveSpan("POST /messages", { kind: SpanKind.SERVER }, remote, async (s) => {
      await pair.publisher.publish({ body: encoder.encode("{}"), messageId: "r-1" });
      s.end();
    });
    await waitFor("retry and dead-letter", () => pair.settled.length === 2);
    const channel = await model.createChannel();
    const dead = await channel.get(deadLetterName(queue), { noAck: true });
    await channel.close();
    assert.ok(dead, "the dead-letter queue is empty");
    const deadParent = parse(headerText(dead.properties.headers?.traceparent)!);
    assert.equal(headerText(dead.properties.headers?.tracestate), TRACESTATE);

    const [first, retry] = seen.map(parse);
    for (const p of [first!, retry!, deadParent]) {
      assert.equal(p.traceId, TRACE_ID);
      assert.equal(p.flags, "03");
    }
    // Each republish is a PRODUCER span under the CONSUMER span that failed.
    const spans = pair.exporter.getFinishedSpans();
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    for (const p of [retry!, deadParent]) {
      const send = byId.get(p.parentId);
      assert.equal(send?.kind, SpanKind.PRODUCER);
      const process = byId.get(send!.parentSpanContext!.spanId);
      assert.equal(process?.kind, SpanKind.CONSUMER);
    }
  } finally {
    await model.close();
    await pair.close();
  }
});
