import assert from "node:assert/strict";
import { TestClock } from "../../lib/testing/clock.ts";
import { jsonInit } from "../../lib/testing/http.ts";
import { waitFor } from "../../lib/testing/wait.ts";
import { createTestService } from "../testing/test_deps.ts";

Deno.test("the seed aliases /start-trace, /add-trace and /stop-trace record one real trace", async () => {
  const service = createTestService();
  try {
    const started = await service.query.request(
      "/start-trace",
      jsonInit("POST", {
        operation: "checkout",
        message: "begin",
        start_time: "2024-05-01T12:00:00.000Z",
        service: "legacy-shop",
      }),
    );
    assert.equal(started.status, 201);
    const root = await started.json();
    assert.match(root.trace_id, /^[0-9a-f]{32}$/);
    assert.equal(root.traceparent, `00-${root.trace_id}-${root.span_id}-01`);
    const added = await (await service.query.request(
      "/add-trace",
      jsonInit("POST", {
        trace_id: root.trace_id,
        parent_span_id: root.span_id,
        operation: "charge card",
        start_time: "2024-05-01T12:00:00.100Z",
      }),
    )).json();
    assert.equal(added.trace_id, root.trace_id);
    for (
      const [spanId, end] of [[added.span_id, "2024-05-01T12:00:00.300Z"], [
        root.span_id,
        "2024-05-01T12:00:00.500Z",
      ]]
    ) {
      const stopped = await service.query.request(
        "/stop-trace",
        jsonInit("POST", { span_id: spanId, end_time: end }),
      );
      assert.equal(stopped.status, 200);
      await stopped.body?.cancel();
    }
    service.flush();
    const trace = await (await service.query.request(`/api/v1/traces/${root.trace_id}`)).json();
    assert.equal(trace.span_count, 2);
    assert.equal(trace.duration_ms, 500);
    const child = trace.spans.find((s: { name: string }) => s.name === "charge card");
    assert.equal(child.parent_span_id, root.span_id);
    assert.equal(child.duration_ms, 200);
    assert.equal(trace.spans[0].service, "legacy-shop");
    assert.equal(trace.spans[0].attributes.message, "begin");
  } finally {
    await service.close();
  }
});

Deno.test("the span API adds events and attributes and continues a traceparent", async () => {
  const service = createTestService();
  try {
    const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const span = await (await service.query.request(
      "/api/v1/spans",
      jsonInit("POST", {
        service: "shell-script",
        name: "backup",
        kind: "client",
        traceparent: parent,
        attributes: { host: "db1" },
      }),
    )).json();
    assert.equal(span.trace_id, "0af7651916cd43dd8448eb211c80319c");
    assert.equal(span.parent_span_id, "b7ad6b7169203331");
    const event = await service.query.request(
      `/api/v1/spans/${span.span_id}/events`,
      jsonInit("POST", {
        name: "tarred",
        attributes: { bytes: 42 },
      }),
    );
    assert.equal(event.status, 200);
    await event.body?.cancel();
    await (await service.query.request(
      `/api/v1/spans/${span.span_id}/attributes`,
      jsonInit("POST", { attributes: { files: 3 } }),
    )).body?.cancel();
    const ended = await service.query.request(
      `/api/v1/spans/${span.span_id}/end`,
      jsonInit("POST", {
        status: "error",
        status_message: "disk full",
      }),
    );
    assert.equal(ended.status, 200);
    await ended.body?.cancel();
    service.flush();
    const trace = await (await service.query.request(`/api/v1/traces/${span.trace_id}`)).json();
    const [stored] = trace.spans;
    assert.equal(stored.kind, "client");
    assert.deepEqual(stored.attributes, { host: "db1", files: 3 });
    assert.equal(stored.events[0].name, "tarred");
    assert.deepEqual(stored.status, { code: "error", message: "disk full" });
  } finally {
    await service.close();
  }
});

Deno.test("the span API rejects bad timestamps, unknown parents and broken traceparents", async (t) => {
  const service = createTestService();
  try {
    const cases: [string, string, unknown, number, string][] = [
      [
        "a bad timestamp",
        "/start-trace",
        { operation: "x", start_time: "yesterday" },
        400,
        "invalid_time",
      ],
      [
        "an unknown parent",
        "/add-trace",
        {
          trace_id: "0af7651916cd43dd8448eb211c80319c",
          parent_span_id: "b7ad6b7169203331",
          operation: "x",
        },
        404,
        "unknown_parent",
      ],
      [
        "a broken traceparent",
        "/api/v1/spans",
        { name: "x", traceparent: "00-zz" },
        400,
        "invalid_traceparent",
      ],
      ["an unknown span", "/stop-trace", { span_id: "b7ad6b7169203331" }, 404, "span_not_found"],
    ];
    for (const [what, path, body, status, code] of cases) {
      await t.step(`${what} is ${status}`, async () => {
        const response = await service.query.request(path, jsonInit("POST", body));
        assert.equal(response.status, status);
        assert.equal((await response.json()).error.code, code);
      });
    }
  } finally {
    await service.close();
  }
});

Deno.test("an open span past its TTL is ended with an error status, and close() ends the rest", async () => {
  const clock = new TestClock();
  const service = createTestService({ ttlMs: 20, nowNs: clock.nowNs });
  try {
    const span =
      await (await service.query.request("/api/v1/spans", jsonInit("POST", { name: "abandoned" })))
        .json();
    clock.advance(20);
    await waitFor("the sweep to end the span", () => service.openSpans.size() === 0);
    service.flush();
    const trace = await (await service.query.request(`/api/v1/traces/${span.trace_id}`)).json();
    assert.equal(trace.spans[0].status.code, "error");
    assert.match(trace.spans[0].status.message, /TTL/);
    const late = await service.query.request(
      `/api/v1/spans/${span.span_id}/end`,
      jsonInit("POST", {}),
    );
    assert.equal(late.status, 404);
    await late.body?.cancel();

    const open = await (await service.query.request(
      "/api/v1/spans",
      jsonInit("POST", { name: "at shutdown" }),
    ))
      .json();
    service.openSpans.close();
    service.flush();
    const flushed = await (await service.query.request(`/api/v1/traces/${open.trace_id}`)).json();
    assert.equal(flushed.spans[0].attributes["tracing.span_api.ended_by"], "shutdown");
  } finally {
    await service.close();
  }
});
