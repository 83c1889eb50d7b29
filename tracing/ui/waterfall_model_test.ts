import assert from "node:assert/strict";
import { makeSpan } from "../testing/span_fixture.ts";
import { criticalPath } from "./critical_path.ts";
import { traceModel } from "./waterfall_model.ts";

const T0 = 1_700_000_000_000;

/** A span's timing for criticalPath(). */
function span(spanId: string, parentSpanId: string, startUs: number, endUs: number) {
  return { spanId, parentSpanId, startUs, endUs };
}

Deno.test("traceModel() lays spans out in tree order with a broker wait before the consumer", () => {
  const traceId = "ab".repeat(16);
  const server = makeSpan({ traceId, spanId: "1".repeat(16), startMs: T0, durationMs: 40 });
  const send = makeSpan({
    traceId,
    spanId: "2".repeat(16),
    parentSpanId: server.spanId,
    kind: 4,
    name: "send q",
    startMs: T0 + 10,
    durationMs: 20,
    attributes: [{ key: "messaging.destination.name", value: { stringValue: "q" } }],
  });
  const process = makeSpan({
    traceId,
    spanId: "3".repeat(16),
    parentSpanId: send.spanId,
    kind: 5,
    name: "process q",
    startMs: T0 + 80,
    durationMs: 20,
  });
  const late = makeSpan({
    traceId,
    spanId: "4".repeat(16),
    parentSpanId: server.spanId,
    startMs: T0 + 32,
  });
  const model = traceModel({ spans: [process, late, send, server], logs: [] });

  assert.deepEqual(
    model.rows.map((r) => [r.type, r.id, r.depth]),
    [
      ["span", server.spanId, 0],
      ["span", send.spanId, 1],
      ["wait", `wait-${process.spanId}`, 2],
      ["span", process.spanId, 2],
      ["span", late.spanId, 1],
    ],
  );
  const wait = model.rows[2]!;
  assert.equal(wait.offsetUs, 30_000, "the wait starts when the publish ends");
  assert.equal(wait.durationUs, 50_000, "and lasts until processing starts");
  assert.equal(wait.destination, "q");
  assert.equal(model.durationUs, 100_000);
  assert.equal(model.depth, 3);
  assert.deepEqual(model.services, ["svc"]);
  const critical = (id: string) => model.rows.find((r) => r.id === id)!.critical;
  assert.deepEqual(critical(process.spanId), [{ offsetUs: 80_000, durationUs: 20_000 }]);
  assert.deepEqual(critical(send.spanId), [{ offsetUs: 10_000, durationUs: 20_000 }]);
  assert.deepEqual(critical(server.spanId), [{ offsetUs: 0, durationUs: 10_000 }]);
  assert.deepEqual(critical(late.spanId), [], "the request's tail ran beside the message");
});

Deno.test("criticalPath() follows the last-finishing child back to the root's start", () => {
  const sections = criticalPath([
    span("root", "", 0, 100),
    span("a", "root", 10, 40),
    span("early", "root", 2, 8),
    span("b", "root", 30, 90),
    span("b1", "b", 35, 60),
    span("async", "root", 120, 150),
  ], "root");
  assert.deepEqual(sections, [
    { spanId: "root", startUs: 90, endUs: 100 },
    { spanId: "b", startUs: 60, endUs: 90 },
    { spanId: "b1", startUs: 35, endUs: 60 },
    { spanId: "b", startUs: 30, endUs: 35 },
    // `a` ended after `b` started, so it did not hold `b` up.
    { spanId: "root", startUs: 8, endUs: 30 },
    { spanId: "early", startUs: 2, endUs: 8 },
    { spanId: "root", startUs: 0, endUs: 2 },
  ]);
});

Deno.test("criticalPath() runs through a message's consumer, which ends after its producer", () => {
  // POST /send publishes and answers; the consumer starts after the broker wait and ends last.
  const sections = criticalPath([
    span("request", "", 0, 50),
    span("send", "request", 10, 20),
    { ...span("process", "send", 40, 150), async: true },
    span("work", "process", 60, 140),
  ], "request");
  assert.deepEqual(sections, [
    { spanId: "process", startUs: 140, endUs: 150 },
    { spanId: "work", startUs: 60, endUs: 140 },
    { spanId: "process", startUs: 40, endUs: 60 },
    // The broker wait (20 to 40) belongs to no span; the request's tail ran beside it.
    { spanId: "send", startUs: 10, endUs: 20 },
    { spanId: "request", startUs: 0, endUs: 10 },
  ]);
});

Deno.test("criticalPath() ends on a malformed tree whose root is its own descendant's child", () => {
  const sections = criticalPath([
    { spanId: "a", parentSpanId: "b", startUs: 0, endUs: 10 },
    { spanId: "b", parentSpanId: "a", startUs: 2, endUs: 8 },
  ], "a");
  assert.deepEqual(sections, [
    { spanId: "a", startUs: 8, endUs: 10 },
    { spanId: "b", startUs: 2, endUs: 8 },
    { spanId: "a", startUs: 0, endUs: 2 },
  ]);
});
