import assert from "node:assert/strict";
import { dataDirProblem, healthUrl, helpText, parseCliArgs, probeHealth } from "./cli.ts";
import { serviceSpec } from "./service_config.ts";
import { declareVariables } from "./variables.ts";
import { url } from "./parsers.ts";

const ORDER = serviceSpec({
  service: "order",
  summary: "orders",
  port: 3000,
  dataDir: true,
  own: [
    declareVariables("order", {
      USER_SERVICE_URL: {
        parse: url(),
        default: "http://127.0.0.1:3001",
        meaning: "where `user` answers",
      },
    }).group,
  ],
});
const USER = serviceSpec({ service: "user", summary: "users", port: 3001, dataDir: true });

Deno.test("parseCliArgs() knows --help, --version and --healthcheck and nothing else", () => {
  assert.equal(parseCliArgs([]), "run");
  assert.equal(parseCliArgs(["--help"]), "help");
  assert.equal(parseCliArgs(["-h"]), "help");
  assert.equal(parseCliArgs(["--version"]), "version");
  assert.equal(parseCliArgs(["-V"]), "version");
  assert.equal(parseCliArgs(["--healthcheck"]), "healthcheck");
  assert.deepEqual(parseCliArgs(["--port=1"]), { unknown: "--port=1" });
  assert.deepEqual(parseCliArgs(["--help", "x"]), { unknown: "--help x" });
});

Deno.test("helpText() lists every variable of the service with its default", () => {
  const text = helpText(ORDER);
  assert.match(text, /^order \d+\.\d+\.\d+: /);
  assert.match(text, /USER_SERVICE_URL +http:\/\/127\.0\.0\.1:3001 +where user answers/);
  assert.match(text, /PORT +3000 /);
  assert.match(text, /INGEST_TOKEN|OTEL_RESOURCE_ATTRIBUTES +unset/);
  assert.doesNotMatch(text, /RABBITMQ_URL/);
});

Deno.test("healthUrl() probes loopback unless the service binds one address", () => {
  assert.equal(healthUrl(USER, {}), "http://127.0.0.1:3001/health");
  assert.equal(healthUrl(USER, { PORT: "8080" }), "http://127.0.0.1:8080/health");
  assert.equal(healthUrl(USER, { HOST: "::" }), "http://127.0.0.1:3001/health");
  assert.equal(healthUrl(USER, { HOST: "10.0.0.5" }), "http://10.0.0.5:3001/health");
  assert.equal(healthUrl(USER, { HOST: "::1" }), "http://[::1]:3001/health");
  assert.throws(() => healthUrl(USER, { PORT: "x" }), /Invalid PORT "x"/);
});

Deno.test("probeHealth() is true only for 200 with status ok", async (t) => {
  let answer: Response = Response.json({ status: "ok" });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, () => answer);
  const url = `http://127.0.0.1:${server.addr.port}/health`;
  try {
    await t.step("ok", async () => assert.equal(await probeHealth(url), true));
    await t.step("503", async () => {
      answer = Response.json({ status: "ok" }, { status: 503 });
      assert.equal(await probeHealth(url), false);
    });
    await t.step("not JSON", async () => {
      answer = new Response("fine");
      assert.equal(await probeHealth(url), false);
    });
  } finally {
    await server.shutdown();
  }
  await t.step("nothing listening", async () => assert.equal(await probeHealth(url, 500), false));
});

Deno.test("dataDirProblem() explains a DATA_DIR outside the write access the process has", () => {
  const onlyData = ((descriptor: Deno.WritePermissionDescriptor) => ({
    state: String(descriptor.path).startsWith("./data") ? "granted" : "prompt",
  })) as unknown as typeof Deno.permissions.querySync;
  assert.equal(dataDirProblem({}, onlyData), undefined);
  assert.equal(dataDirProblem({ DATA_DIR: "./data/users" }, onlyData), undefined);
  assert.match(
    dataDirProblem({ DATA_DIR: "/var/lib/x" }, onlyData) ?? "",
    /^Invalid DATA_DIR "\/var\/lib\/x": expected \.\/data or a path inside it/,
  );
});
