import assert from "node:assert/strict";
import { makeSpan } from "../testing/span_fixture.ts";
import { createTestService } from "../testing/test_deps.ts";

// Two traces share their first 10 digits; a third starts elsewhere.
const TWIN_A = "abcdef0123aaaaaaaaaaaaaaaaaaaaaa";
const TWIN_B = "abcdef0123bbbbbbbbbbbbbbbbbbbbbb";
const LONE = "0123456789abcdef0123456789abcdef";

function withTraces(): ReturnType<typeof createTestService> {
  const service = createTestService();
  service.store.writeSpans([
    makeSpan({ traceId: TWIN_A, service: "order", name: "POST /orders" }),
    makeSpan({ traceId: TWIN_B, service: "producer", name: "POST /send" }),
    makeSpan({ traceId: LONE, service: "user", name: "GET /users/:username" }),
  ]);
  return service;
}

Deno.test("GET /api/v1/traces/:id opens a trace by a unique prefix of 8 or more hex digits", async (t) => {
  const service = withTraces();
  const get = async (id: string) => {
    const response = await service.query.request(`/api/v1/traces/${id}`);
    return { status: response.status, body: await response.json() };
  };
  try {
    await t.step("a unique prefix, in either case, returns the whole trace", async () => {
      for (const id of ["01234567", "0123456789AB", LONE]) {
        const { status, body } = await get(id);
        assert.equal(status, 200, id);
        assert.equal(body.trace_id, LONE);
        assert.equal(body.root_service, "user");
      }
      assert.equal((await get("abcdef0123a")).body.trace_id, TWIN_A);
    });
    await t.step("an ambiguous prefix is 300 with every match listed", async () => {
      const { status, body } = await get("abcdef01");
      assert.equal(status, 300);
      assert.equal(body.error.code, "ambiguous_trace_id");
      assert.equal(
        body.error.message,
        'Trace id prefix "abcdef01" matches 2 traces: give more digits, or pick one',
      );
      assert.deepEqual(
        body.matches.map((m: { trace_id: string; root_service: string }) =>
          `${m.trace_id} ${m.root_service}`
        ),
        [`${TWIN_A} order`, `${TWIN_B} producer`],
      );
    });
    await t.step("an unknown prefix or id is 404", async () => {
      const prefix = await get("fedcba98");
      assert.equal(prefix.status, 404);
      assert.equal(prefix.body.error.code, "trace_not_found");
      assert.match(prefix.body.error.message, /^No trace id starts with "fedcba98"/);
      const full = await get("fedcba98".repeat(4));
      assert.equal(full.status, 404);
      assert.match(full.body.error.message, /^Trace "fedcba98fedcba98fedcba98fedcba98" not found/);
    });
    await t.step("fewer than 8 digits, more than 32, or a non-hex character is 400", async () => {
      for (const id of ["0123456", "0".repeat(33), "0123456g", "01234567-89", "%2001234567"]) {
        const { status, body } = await get(id);
        assert.equal(status, 400, id);
        assert.equal(body.error.code, "invalid_trace_id");
        assert.match(body.error.message, /expected 32 hex digits, or the first 8 or more of them$/);
      }
    });
  } finally {
    await service.close();
  }
});

Deno.test("GET /trace/:id on the page opens a unique prefix at the trace's full id", async (t) => {
  const service = withTraces();
  const open = (path: string) => service.query.request(path, { redirect: "manual" });
  try {
    await t.step("a unique prefix redirects to /trace/<full id>", async () => {
      const response = await open("/trace/01234567");
      assert.equal(response.status, 302);
      assert.equal(response.headers.get("location"), `/trace/${LONE}`);
      await response.body?.cancel();
      const page = await open(`/trace/${LONE}`);
      assert.equal(page.status, 200);
      await page.body?.cancel();
    });
    await t.step("the header's box sends its text to /trace, which accepts a prefix", async () => {
      const response = await open("/trace?id=%2001234567%20");
      assert.equal(response.headers.get("location"), "/trace/01234567");
      await response.body?.cancel();
      const html = await (await open("/search")).text();
      assert.match(html, /pattern="\[0-9a-fA-F\]\{8,32\}"/);
    });
    await t.step("an ambiguous prefix lists the matches as links (300)", async () => {
      const response = await open("/trace/abcdef0123");
      assert.equal(response.status, 300);
      const html = await response.text();
      assert.ok(html.includes("Trace id prefix &quot;abcdef0123&quot; matches 2 traces"), html);
      assert.ok(html.includes(`href="/trace/${TWIN_A}"`));
      assert.ok(html.includes(`href="/trace/${TWIN_B}"`));
      assert.ok(!html.includes(`/trace/${LONE}`));
    });
    await t.step("unknown is 404, too short or not hex 400, as pages", async () => {
      for (const [id, status] of [["fedcba98", 404], ["0123", 400], ["zzzzzzzz", 400]] as const) {
        const response = await open(`/trace/${id}`);
        assert.equal(response.status, status, id);
        assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
        await response.body?.cancel();
      }
    });
    await t.step("compare takes prefixes too", async () => {
      const html = await (await open(`/compare?a=01234567&b=abcdef0123b`)).text();
      assert.ok(html.includes(LONE) && html.includes(TWIN_B), html);
    });
  } finally {
    await service.close();
  }
});

Deno.test("the Jaeger APIs keep full trace ids", async (t) => {
  const service = withTraces();
  try {
    for (const path of ["/api/traces/", "/api/v3/traces/"]) {
      await t.step(`${path}<prefix> opens nothing, ${path}<full id> the trace`, async () => {
        const short = await service.query.request(`${path}01234567`);
        assert.ok(short.status === 400 || short.status === 404, `${path}: ${short.status}`);
        await short.body?.cancel();
        const full = await service.query.request(`${path}${LONE}`);
        assert.equal(full.status, 200);
        await full.body?.cancel();
      });
    }
  } finally {
    await service.close();
  }
});
