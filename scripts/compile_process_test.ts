import assert from "node:assert/strict";
import { join } from "node:path";
import { SERVICE_SPECS } from "./service_specs.ts";
import { deleteQueues, uniqueQueueName } from "../lib/testing/amqp.ts";
import { type OtlpSink, type SinkSpan, startOtlpSink } from "../lib/testing/otlp_sink.ts";
import { requestJson } from "../lib/testing/http.ts";
import { waitFor } from "../lib/testing/wait.ts";
import type { ServiceProcess } from "../lib/testing/service_process.ts";
import { VERSION } from "../lib/version.ts";
import {
  binaryLauncher,
  denoRunLauncher,
  type Launcher,
  permissionProblems,
  runOnce,
  startService,
} from "./_compile_fixture.ts";
import {
  compileService,
  excludeFlags,
  permissionFlags,
  readTasks,
  ROOT,
  RuntimeUnavailableError,
  SERVICES,
} from "./compile.ts";

const DATA_SERVICES = ["user", "order", "tracing"];

Deno.test("start:<service> tasks grant only the permissions each binary is compiled with", async () => {
  const tasks = await readTasks();
  for (const service of SERVICES) {
    const data = DATA_SERVICES.includes(service)
      ? ["--allow-read=./data", "--allow-write=./data"]
      : [];
    assert.deepEqual(
      permissionFlags(tasks, service),
      ["--no-prompt", "--allow-net", "--allow-env", "--allow-sys=hostname", ...data],
      service,
    );
  }
});

async function checkCli(launcher: Launcher, t: Deno.TestContext): Promise<void> {
  const cwd = await Deno.makeTempDir({ prefix: "cli-" });
  try {
    for (const service of SERVICES) {
      await t.step(`${service} answers --help, --version and rejects other arguments`, async () => {
        const help = await runOnce(launcher, service, { args: ["--help"], cwd });
        assert.equal(help.code, 0, help.stderr);
        assert.match(help.stdout, new RegExp(`^${service} ${VERSION}: `));
        assert.match(help.stdout, new RegExp(`PORT +${SERVICE_SPECS[service].port} `));
        for (const group of SERVICE_SPECS[service].groups) {
          for (const variable of group.variables) {
            assert.match(help.stdout, new RegExp(variable.name));
          }
        }
        const version = await runOnce(launcher, service, { args: ["--version"], cwd });
        assert.equal(version.code, 0, version.stderr);
        assert.equal(version.stdout, `${service} ${VERSION}\n`);
        const bad = await runOnce(launcher, service, { args: ["--bogus"], cwd });
        assert.equal(bad.code, 64);
        assert.match(bad.stderr, /Unknown argument "--bogus"/);
        if (SERVICE_SPECS[service].dataDir) {
          // Outside the baked --allow-write=./data: a clear config error, not Deno's advice.
          const env = { DATA_DIR: join(cwd, "elsewhere"), PORT: "0" };
          const outside = await runOnce(launcher, service, { args: [], cwd, env });
          assert.equal(outside.code, 78, outside.stdout + outside.stderr);
          const [problem] = JSON.parse(outside.stderr).problems;
          assert.match(problem, /^Invalid DATA_DIR ".*elsewhere": expected \.\/data/);
        }
      });
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

/** Health, `--healthcheck`, no permission errors, and the resource's host name (needs --allow-sys). */
async function checkServiceProcess(
  launcher: Launcher,
  service: string,
  running: ServiceProcess,
  context: { cwd: string; sink: OtlpSink; span: SinkSpan },
): Promise<void> {
  const health = await fetch(`${running.url}/health`);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).status, "ok");
  const probe = await runOnce(launcher, service, {
    args: ["--healthcheck"],
    cwd: context.cwd,
    env: { PORT: String(running.ports.http), HOST: "127.0.0.1" },
  });
  assert.equal(probe.code, 0, `${service} --healthcheck: ${probe.stdout}${probe.stderr}`);
  const host = context.span.resource["host.name"];
  assert.ok(typeof host === "string" && host !== "unknown", "--allow-sys=hostname is missing");
  assert.deepEqual(permissionProblems(running.lines), []);
}

function spanNamed(sink: OtlpSink, service: string, name: string): Promise<SinkSpan> {
  const find = () => sink.spans.find((span) => span.service === service && span.name === name);
  return sink.waitFor(() => find() !== undefined).then(() => find() as SinkSpan);
}

async function checkServices(launcher: Launcher, t: Deno.TestContext): Promise<void> {
  const sink = startOtlpSink();
  const cwd = await Deno.makeTempDir({ prefix: "services-" });
  const queue = uniqueQueueName("compile");
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "100",
    QUEUE_NAME: queue,
    WORK_HIGH_MS: "0",
    WORK_NORMAL_MS: "0",
    WORK_LOW_MS: "0",
  };
  const running: Record<string, ServiceProcess> = {};
  const start = async (
    service: string,
    extra: Record<string, string> = {},
    listeners: readonly string[] = ["http"],
  ) => {
    const options = { cwd, env: { ...env, ...extra }, listeners };
    return running[service] = await startService(launcher, service, options);
  };
  const context = (span: SinkSpan) => ({ cwd, sink, span });
  try {
    await t.step("tracing stores a span-API trace and exports its own span", async () => {
      const tracing = await start("tracing", { OTLP_PORT: "0" }, ["otlp", "http"]);
      const started = await requestJson(`${tracing.url}/start-trace`, {
        body: {
          operation: "checkout",
          service: "shop",
        },
      });
      assert.equal(started.status, 201);
      const stopped = await requestJson(`${tracing.url}/stop-trace`, {
        body: {
          span_id: started.body.span_id,
        },
      });
      assert.equal(stopped.status, 200);
      const span = await spanNamed(sink, "tracing", "POST /start-trace");
      await checkServiceProcess(launcher, "tracing", tracing, context(span));
      assert.ok((await Deno.stat(join(cwd, "data", "traces.db"))).isFile);
    });
    await t.step("user stores a user in ./data and traces it", async () => {
      const user = await start("user");
      const created = await requestJson(`${user.url}/users`, {
        body: {
          username: "ada",
          email: "ada@example.com",
          full_name: "Ada Lovelace",
        },
      });
      assert.equal(created.status, 201);
      const span = await spanNamed(sink, "user", "POST /users");
      await spanNamed(sink, "user", "INSERT users");
      await checkServiceProcess(launcher, "user", user, context(span));
      assert.ok((await Deno.stat(join(cwd, "data", "users.db"))).isFile);
    });
    await t.step("order asks user over HTTP and traces both hops", async () => {
      const order = await start("order", { USER_SERVICE_URL: running.user?.url ?? "" });
      const created = await requestJson(`${order.url}/orders`, {
        body: {
          username: "ada",
          item: "book",
          quantity: 1,
          unit_price: 9.99,
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const span = await spanNamed(sink, "order", "POST /orders");
      await checkServiceProcess(launcher, "order", order, context(span));
    });
    await t.step("producer and consumer carry one trace through RabbitMQ", async () => {
      const producer = await start("producer");
      const consumer = await start("consumer");
      // Listening comes before the broker connection: send once producer says it is ready.
      await waitFor(
        "producer ready",
        async () => (await requestJson(`${producer.url}/ready`)).status === 200,
      );
      const sent = await requestJson(`${producer.url}/send`, {
        body: { content: "hi", priority: "high" },
      });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const processed = await spanNamed(sink, "consumer", `process ${queue}`);
      assert.equal(processed.traceId, sent.body.trace_id);
      const span = await spanNamed(sink, "producer", "POST /send");
      await checkServiceProcess(launcher, "producer", producer, context(span));
      await checkServiceProcess(launcher, "consumer", consumer, context(processed));
    });
  } finally {
    const codes = await Promise.all(
      Object.entries(running).map(async ([name, service]) => [name, await service.stop()]),
    );
    await deleteQueues(queue).catch(() => {});
    await sink.close();
    await Deno.remove(cwd, { recursive: true });
    for (const [name, code] of codes) assert.equal(code, 0, `${name} exit code`);
  }
}

Deno.test("every service run with exactly its binary's permission flags works", async (t) => {
  const launcher = await denoRunLauncher();
  await checkCli(launcher, t);
  await checkServices(launcher, t);
});

/** Says plainly in the test output that the compiled check did not run, and why. */
function reportSkip(error: RuntimeUnavailableError): void {
  const why = error.message.split("\n")[0];
  const text = `\nCOMPILED-BINARY CHECK SKIPPED: ${why}\n` +
    "The services were checked with the binaries' exact permission flags instead (above).\n";
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}

Deno.test("deno compile builds binaries that behave like the start tasks", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "dist-" });
  const tasks = await readTasks();
  const compileFlags = await excludeFlags();
  const compile = (service: string, denortBin?: string) =>
    compileService(service, {
      output: join(dir, service),
      flags: permissionFlags(tasks, service),
      compileFlags,
      denortBin,
    });
  try {
    try {
      await compile("user");
    } catch (error) {
      if (!(error instanceof RuntimeUnavailableError)) throw error;
      reportSkip(error);
      // Everything but the runtime still runs: type check, module graph, embedding (this is
      // where a deno compile crash such as denoland/deno#36746 shows up).
      if (Deno.build.os !== "linux") return;
      for (const service of SERVICES) {
        await t.step(`${service} compiles onto a stand-in runtime`, async () => {
          await compile(service, "/bin/true");
          assert.ok((await Deno.stat(join(dir, service))).size > 1_000_000);
        });
      }
      return;
    }
    for (const service of SERVICES.slice(1)) await compile(service);
    const launcher = binaryLauncher(dir);
    await checkCli(launcher, t);
    await checkServices(launcher, t);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("service code reads no files beside its source, so a binary needs none", async () => {
  const pattern =
    /import\.meta\.(url|dirname|filename)|Deno\.(readTextFile|readFile|open)(Sync)?\(|readFileSync/;
  const sourceRelative = /import\.meta\.(url|dirname|filename)/;
  for (const service of SERVICES) {
    const { stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", `${service}/main.ts`],
      cwd: ROOT,
    }).output();
    const modules: { specifier: string }[] = JSON.parse(new TextDecoder().decode(stdout)).modules;
    const local = modules.map((module) => module.specifier).filter((s) => s.startsWith("file:"));
    assert.ok(local.length > 5, `deno info found only ${local.length} modules of ${service}`);
    for (const specifier of local) {
      const source = await Deno.readTextFile(new URL(specifier));
      // The write-ahead log opens and reads its files under DATA_DIR, never beside its source.
      const checked = specifier.endsWith("/tracing/ingest/wal.ts") ? sourceRelative : pattern;
      assert.doesNotMatch(source, checked, `${specifier} (in ${service}'s binary)`);
    }
  }
});
