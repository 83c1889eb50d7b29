import assert from "node:assert/strict";
import type { Hono } from "hono";
import { createTestService, sampleTraceJson, type TestService } from "./testing/test_deps.ts";

const TOKEN = "s3cret-Token_1";
const READ_TOKEN = "reader-2";

interface Write {
  app: "ingest" | "query";
  method: string;
  path: (ids: Ids) => string;
  body?: (ids: Ids) => unknown;
  /** The status of the write done with the token. */
  done: number;
}

interface Ids {
  spanId: string;
  traceId: string;
}

const otlp = (signal: string): Write => ({
  app: "ingest",
  method: "POST",
  path: () => `/v1/${signal}`,
  body: () => (signal === "traces" ? sampleTraceJson() : {}),
  done: 200,
});

/** Every endpoint of the tracing service that changes state. */
const WRITES: Record<string, Write> = {
  "POST /v1/traces": otlp("traces"),
  "POST /v1/logs": otlp("logs"),
  "POST /v1/metrics": otlp("metrics"),
  "POST /api/v1/spans": {
    app: "query",
    method: "POST",
    path: () => "/api/v1/spans",
    body: () => ({ service: "shop", name: "checkout" }),
    done: 201,
  },
  "POST /api/v1/spans/:id/events": {
    app: "query",
    method: "POST",
    path: ({ spanId }) => `/api/v1/spans/${spanId}/events`,
    body: () => ({ name: "retry" }),
    done: 200,
  },
  "POST /api/v1/spans/:id/attributes": {
    app: "query",
    method: "POST",
    path: ({ spanId }) => `/api/v1/spans/${spanId}/attributes`,
    body: () => ({ attributes: { a: 1 } }),
    done: 200,
  },
  "POST /api/v1/spans/:id/end": {
    app: "query",
    method: "POST",
    path: ({ spanId }) => `/api/v1/spans/${spanId}/end`,
    body: () => ({}),
    done: 200,
  },
  "POST /start-trace": {
    app: "query",
    method: "POST",
    path: () => "/start-trace",
    body: () => ({ operation: "checkout" }),
    done: 201,
  },
  "POST /add-trace": {
    app: "query",
    method: "POST",
    path: () => "/add-trace",
    body: ({ traceId, spanId }) => ({
      operation: "charge",
      trace_id: traceId,
      parent_span_id: spanId,
    }),
    done: 201,
  },
  "POST /stop-trace": {
    app: "query",
    method: "POST",
    path: () => "/stop-trace",
    body: ({ spanId }) => ({ span_id: spanId }),
    done: 200,
  },
  "POST /api/v1/alerts/rules": {
    app: "query",
    method: "POST",
    path: () => "/api/v1/alerts/rules",
    body: () => ({ name: "slow", service: "shop", metric: "p99", threshold: 100 }),
    done: 201,
  },
  "DELETE /api/v1/alerts/rules/:name": {
    app: "query",
    method: "DELETE",
    path: () => "/api/v1/alerts/rules/kept",
    done: 204,
  },
};

function send(
  service: TestService,
  write: Write,
  ids: Ids,
  authorization?: string,
): Promise<Response> {
  const app: Hono = write.app === "ingest" ? service.ingest : service.query;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (authorization !== undefined) headers.authorization = authorization;
  const body = write.body === undefined ? undefined : JSON.stringify(write.body(ids));
  return Promise.resolve(app.request(write.path(ids), { method: write.method, headers, body }));
}

/** An open span and an alert rule "kept" to write against, made with the token. */
async function fixture(service: TestService): Promise<Ids> {
  const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  const started = await service.query.request("/api/v1/spans", {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ service: "shop", name: "fixture" }),
  });
  assert.equal(started.status, 201);
  const { span_id: spanId, trace_id: traceId } = await started.json();
  const rule = await service.query.request("/api/v1/alerts/rules", {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ name: "kept", service: "shop", metric: "p99", threshold: 1 }),
  });
  assert.equal(rule.status, 201);
  await rule.body?.cancel();
  return { spanId, traceId };
}

async function assertUnauthorized(response: Response, error: "missing" | "wrong"): Promise<void> {
  assert.equal(response.status, 401);
  const challenge = response.headers.get("www-authenticate") ?? "";
  assert.match(challenge, /^Bearer realm="tracing"/);
  if (error === "wrong") assert.match(challenge, /error="invalid_token"/);
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  const body = await response.json();
  const message = body.error?.message ?? body.message;
  assert.match(message, error === "missing" ? /^Missing write token/ : /^Wrong write token/);
}

Deno.test("every write endpoint of the tracing service needs INGEST_TOKEN when it is set", async (t) => {
  for (const [name, write] of Object.entries(WRITES)) {
    await t.step(name, async () => {
      const service = createTestService({ token: TOKEN });
      try {
        const ids = await fixture(service);
        const before = { open: service.openSpans.size(), rules: service.alerts.list().length };
        await assertUnauthorized(await send(service, write, ids), "missing");
        await assertUnauthorized(await send(service, write, ids, "Bearer nope"), "wrong");
        await assertUnauthorized(await send(service, write, ids, `Basic ${TOKEN}`), "wrong");
        service.flush();
        assert.equal(service.store.spanCount(), 0, "a refused write stored spans");
        assert.deepEqual(
          { open: service.openSpans.size(), rules: service.alerts.list().length },
          before,
          "a refused write changed state",
        );
        const done = await send(service, write, ids, `bearer ${TOKEN}`);
        assert.equal(done.status, write.done, await done.clone().text());
        await done.body?.cancel();
      } finally {
        await service.close();
      }
    });
  }
});

Deno.test("the bearer scheme is compared without regard to case", async (t) => {
  const service = createTestService({ token: TOKEN });
  try {
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      await t.step(scheme, async () => {
        const response = await send(service, WRITES["POST /v1/traces"]!, {
          spanId: "",
          traceId: "",
        }, `${scheme} ${TOKEN}`);
        assert.equal(response.status, 200);
        await response.body?.cancel();
      });
    }
  } finally {
    await service.close();
  }
});

Deno.test("reads stay open with INGEST_TOKEN alone and need QUERY_TOKEN when it is set", async (t) => {
  const reads = ["/api/v1/services", "/api/services", "/api/v3/services", "/search", "/metrics"];
  await t.step("INGEST_TOKEN alone: reads open", async () => {
    const service = createTestService({ token: TOKEN });
    try {
      for (const path of reads) {
        const response = await service.query.request(path);
        assert.equal(response.status, 200, path);
        await response.body?.cancel();
      }
      // Jaeger UI's upload: a POST that stores nothing, so a read.
      const transform = await service.query.request("/api/transform", {
        method: "POST",
        body: JSON.stringify(sampleTraceJson()),
      });
      assert.equal(transform.status, 200);
      await transform.body?.cancel();
    } finally {
      await service.close();
    }
  });
  await t.step("QUERY_TOKEN set: reads need it or the write token", async () => {
    const service = createTestService({ token: TOKEN, readToken: READ_TOKEN });
    try {
      for (const path of reads) {
        const denied = await service.query.request(path);
        assert.equal(denied.status, 401, path);
        assert.equal(
          denied.headers.get("www-authenticate"),
          'Bearer realm="tracing", Basic realm="tracing"',
        );
        assert.equal((await denied.json()).error.code, "unauthorized");
        for (
          const authorization of [
            `Bearer ${READ_TOKEN}`,
            `bearer ${TOKEN}`,
            `Basic ${btoa(`anyone:${READ_TOKEN}`)}`,
          ]
        ) {
          const allowed = await service.query.request(path, { headers: { authorization } });
          assert.equal(allowed.status, 200, `${path} with ${authorization}`);
          await allowed.body?.cancel();
        }
      }
      for (const path of ["/health", "/ready"]) {
        const probe = await service.query.request(path);
        assert.equal(probe.status, 200, path);
        await probe.body?.cancel();
      }
      const transform = (authorization?: string) =>
        service.query.request("/api/transform", {
          method: "POST",
          headers: authorization === undefined ? {} : { authorization },
          body: JSON.stringify(sampleTraceJson()),
        });
      assert.equal((await transform()).status, 401, "POST /api/transform is a read");
      assert.equal((await transform(`Bearer ${READ_TOKEN}`)).status, 200);
      const readerWrites = await service.query.request("/start-trace", {
        method: "POST",
        headers: { authorization: `Bearer ${READ_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ operation: "checkout" }),
      });
      await assertUnauthorized(readerWrites, "wrong");
    } finally {
      await service.close();
    }
  });
});
