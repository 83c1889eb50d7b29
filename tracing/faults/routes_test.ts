import assert from "node:assert/strict";
import { Hono } from "hono";
import { delayFault, shareFault } from "../../lib/faults/fault.ts";
import { FaultRegistry } from "../../lib/faults/registry.ts";
import { faultRoutes } from "../../lib/faults/routes.ts";
import { createErrorHandler } from "../../lib/http/errors.ts";
import { createLogger } from "../../lib/log.ts";
import { jsonInit } from "../../lib/testing/http.ts";
import { faultsUiRoutes } from "../ui/faults_routes.tsx";
import { faultApiRoutes } from "./routes.ts";
import { ServiceFaults } from "./service_faults.ts";

const logger = createLogger({ service: "test", write: () => {} });

/** A service's fault API on a real local port, behind a token, and the tracing routes over it. */
async function withService(
  work: (tracing: Hono, registry: FaultRegistry) => Promise<void>,
): Promise<void> {
  const registry = new FaultRegistry([
    delayFault("slow_query", { description: "slow", delayMs: 300, jitterMs: 30 }),
    shareFault("user_errors", { description: "fails", rate: 0.2 }),
  ]);
  const service = new Hono();
  service.onError(createErrorHandler(logger));
  service.route("/", faultRoutes({ service: "user", faults: registry, token: "t0k" }));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, service.fetch);
  const faults = new ServiceFaults({
    services: { user: `http://127.0.0.1:${server.addr.port}`, down: "http://127.0.0.1:9" },
    token: "t0k",
  });
  const tracing = new Hono();
  tracing.onError(createErrorHandler(logger));
  tracing.route("/", faultApiRoutes(faults));
  tracing.route("/", faultsUiRoutes(faults));
  try {
    await work(tracing, registry);
  } finally {
    await server.shutdown();
  }
}

Deno.test("GET /api/v1/faults lists each configured service's faults, or why not", async () => {
  await withService(async (tracing) => {
    const { services } = await (await tracing.request("/api/v1/faults")).json();
    assert.deepEqual(services.map((s: { service: string }) => s.service), ["user", "down"]);
    assert.deepEqual(services[0].faults.map((f: { name: string }) => f.name), [
      "slow_query",
      "user_errors",
    ]);
    assert.match(services[1].error, /^Not reachable: /);
  });
});

Deno.test("PUT /api/v1/faults/{service}/{name} switches the fault on the service with its token", async (t) => {
  await withService(async (tracing, registry) => {
    await t.step("switched", async () => {
      const change = { enabled: true, delay_ms: 100, jitter_ms: 0 };
      const response = await tracing.request(
        "/api/v1/faults/user/slow_query",
        jsonInit("PUT", change),
      );
      assert.equal(response.status, 200);
      assert.deepEqual((await response.json()).state, change);
      assert.equal(registry.enabled("slow_query"), true);
    });
    await t.step("the service's 400 and 404 pass through", async () => {
      const bad = await tracing.request(
        "/api/v1/faults/user/user_errors",
        jsonInit("PUT", { enabled: true, rate: 3 }),
      );
      assert.equal(bad.status, 400);
      assert.equal((await bad.json()).error.code, "invalid_fault_change");
      const missing = await tracing.request(
        "/api/v1/faults/user/nope",
        jsonInit("PUT", { enabled: true }),
      );
      assert.equal(missing.status, 404);
      assert.equal((await missing.json()).error.code, "fault_not_found");
    });
    await t.step("an unknown service: 404; one that is down: 502", async () => {
      const unknown = await tracing.request(
        "/api/v1/faults/mail/x",
        jsonInit("PUT", { enabled: true }),
      );
      assert.equal(unknown.status, 404);
      assert.equal((await unknown.json()).error.code, "service_not_found");
      const down = await tracing.request(
        "/api/v1/faults/down/x",
        jsonInit("PUT", { enabled: true }),
      );
      assert.equal(down.status, 502);
      assert.equal((await down.json()).error.code, "service_unreachable");
    });
  });
});

Deno.test("The Faults page's form switches a fault and shows the new state", async () => {
  await withService(async (tracing, registry) => {
    const page = await (await tracing.request("/faults")).text();
    assert.match(page, /<form method="post" action="\/faults\/user\/user_errors"/);
    const posted = await tracing.request("/faults/user/user_errors", {
      method: "POST",
      body: new URLSearchParams({ rate: "0.5", enabled: "true" }),
    });
    assert.equal(posted.status, 303);
    assert.equal(
      posted.headers.get("location"),
      "/faults?switched=user%20user_errors%20switched%20on",
    );
    assert.deepEqual(registry.view("user_errors").state, { enabled: true, rate: 0.5 });
    const bad = await tracing.request("/faults/user/user_errors", {
      method: "POST",
      body: new URLSearchParams({ rate: "lots", enabled: "true" }),
    });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /Invalid change of fault &quot;user_errors&quot;: rate/);
  });
});
