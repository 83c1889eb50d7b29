/**
 * compose.yaml checked without a Docker engine: against the Compose specification's JSON schema
 * (as bundled by dclint, which validates with it), and against the code and the docs: every
 * built service has a folder, publishes the ports it listens on, sets only variables it reads and
 * docs/configuration.md documents, and waits on health checks that its image can run.
 */
import assert from "node:assert/strict";
import { DCLinter } from "dclint";
import { parse } from "yaml";
import { jaegerBuild } from "../lib/testing/jaeger_binary.ts";
import { SERVICE_SPECS, type ServiceName } from "../scripts/service_specs.ts";

const ROOT = new URL("../", import.meta.url);
const COMPOSE_PATH = new URL("compose.yaml", ROOT).pathname;

// deno-lint-ignore no-explicit-any
type Json = any;

const compose: Json = parse(await Deno.readTextFile(COMPOSE_PATH), { merge: true });
const services: Record<string, Json> = compose.services;
/** Services built from this repository's Dockerfile, by compose name. */
const built = Object.entries(services).filter(([, service]) => service.build !== undefined);

/** Folders with a service's spine (`main.ts` and `config.ts`); bench/ and scripts/ have no config. */
async function serviceFolders(): Promise<string[]> {
  const folders: string[] = [];
  for await (const entry of Deno.readDir(ROOT)) {
    if (!entry.isDirectory) continue;
    const files = ["main.ts", "config.ts"].map((file) => new URL(`${entry.name}/${file}`, ROOT));
    const found = await Promise.all(files.map((file) => Deno.stat(file).catch(() => undefined)));
    if (found.every((info) => info?.isFile)) folders.push(entry.name);
  }
  return folders.sort();
}

function specOf(name: string) {
  const spec = SERVICE_SPECS[name as ServiceName];
  assert.ok(
    spec !== undefined,
    `compose service "${name}" has no spec in scripts/service_specs.ts`,
  );
  return spec;
}

function defaultOf(name: string, variable: string): string | undefined {
  return specOf(name).groups.flatMap((group) => group.variables).find((v) => v.name === variable)
    ?.default;
}

/** `"127.0.0.1:16687:16686"` → host 16687, container 16686. */
function parsePort(port: string): { host: number; container: number } {
  const parts = String(port).split(":");
  return { host: Number(parts.at(-2)), container: Number(parts.at(-1)) };
}

Deno.test("compose.yaml is valid against the Compose specification and passes dclint", async () => {
  const linter = new DCLinter({ rules: {}, quiet: false, debug: false, exclude: [] } as never);
  const [result] = await linter.lintFiles([COMPOSE_PATH], false);
  // Warnings are only key-order style; errors include the schema check ("invalid-schema").
  const errors = (result?.messages ?? []).filter((message) => message.type === "error");
  assert.deepEqual(errors.map((error) => `${error.rule}: ${error.message}`), []);
  assert.ok(result !== undefined, "dclint returned no result for compose.yaml");
});

Deno.test("compose.yaml builds every service folder of the repository, and no other", async () => {
  const tasks: Record<string, string> = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  ).tasks;
  const started = Object.keys(tasks).filter((task) => task.startsWith("start:"));
  const folders = await serviceFolders();
  assert.deepEqual(built.map(([name]) => name).sort(), folders);
  assert.deepEqual(started.map((task) => task.slice("start:".length)).sort(), folders);
  for (const [name, service] of built) {
    assert.equal(service.build.context, ".", name);
    assert.equal(service.build.args.SERVICE, name, `${name} builds SERVICE=${name}`);
  }
});

Deno.test("compose.yaml publishes each service's own ports and runs it on its default PORT", () => {
  for (const [name, service] of built) {
    const spec = specOf(name);
    const env = service.environment ?? {};
    assert.equal(env.PORT ?? String(spec.port), String(spec.port), `${name} PORT`);
    const listening = [spec.port, Number(env.OTLP_PORT ?? defaultOf(name, "OTLP_PORT"))];
    for (const port of service.ports ?? []) {
      const { container } = parsePort(port);
      assert.ok(listening.includes(container), `${name} publishes ${port}: it listens on neither`);
    }
    assert.ok(
      (service.ports ?? []).some((port: string) => parsePort(port).container === spec.port),
      `${name} publishes its PORT ${spec.port}`,
    );
  }
  const hostPorts = Object.values(services).flatMap((service) =>
    (service.ports ?? []).map((port: string) => parsePort(port).host)
  );
  assert.equal(new Set(hostPorts).size, hostPorts.length, `host ports collide: ${hostPorts}`);
});

Deno.test("compose.yaml sets only variables the service reads and docs/configuration.md documents", async () => {
  const reference = await Deno.readTextFile(new URL("docs/configuration.md", ROOT));
  for (const [name, service] of built) {
    const known = specOf(name).groups.flatMap((group) => group.variables).map((v) => v.name);
    for (const variable of Object.keys(service.environment ?? {})) {
      assert.ok(known.includes(variable), `${name} does not read ${variable}`);
      assert.match(
        reference,
        new RegExp(`\\| \`${variable}\``),
        `docs/configuration.md has no row for ${variable}`,
      );
    }
  }
});

Deno.test("compose.yaml wires traces services → tracing → Jaeger, and each dependency", () => {
  const env = (name: string): Record<string, string> => services[name].environment;
  const otlpPort = env("tracing").OTLP_PORT ?? defaultOf("tracing", "OTLP_PORT");
  for (const [name] of built) {
    assert.equal(env(name).OTEL_SERVICE_NAME, name, `${name} OTEL_SERVICE_NAME`);
    if (name === "tracing") continue;
    assert.equal(env(name).OTEL_EXPORTER_OTLP_ENDPOINT, `http://tracing:${otlpPort}`, name);
  }
  assert.equal(env("tracing").FORWARD_ENDPOINTS, "http://jaeger:4318");
  assert.equal(env("tracing").OTEL_EXPORTER_OTLP_ENDPOINT, "http://jaeger:4318");
  assert.equal(env("order").USER_SERVICE_URL, `http://user:${specOf("user").port}`);
  const { RABBITMQ_DEFAULT_USER: user, RABBITMQ_DEFAULT_PASS: pass } = env("rabbitmq");
  for (const name of ["producer", "consumer"]) {
    assert.equal(env(name).RABBITMQ_URL, `amqp://${user}:${pass}@rabbitmq:5672`, name);
    assert.equal(env(name).QUEUE_NAME, env("producer").QUEUE_NAME, "one queue");
  }
});

Deno.test("compose.yaml runs the Jaeger release the tests run (interop/jaeger/go.mod)", () => {
  const { release } = jaegerBuild({});
  assert.equal(services.jaeger.image, `jaegertracing/jaeger:${release}`);
});

Deno.test("compose.yaml services wait on health checks their images can run", () => {
  for (const [name, service] of Object.entries(services)) {
    const test: string[] = service.healthcheck?.test ?? [];
    assert.equal(test[0], "CMD", `${name} has an exec-form health check`);
    for (const [dependency, condition] of Object.entries(service.depends_on ?? {})) {
      assert.deepEqual(condition, { condition: "service_healthy" }, `${name} → ${dependency}`);
      assert.ok(services[dependency]?.healthcheck !== undefined, `${dependency} has a check`);
    }
  }
  for (const [name, service] of built) {
    // The Dockerfile puts the binary at /app/service; --healthcheck GETs its own /health.
    assert.deepEqual(service.healthcheck.test, ["CMD", "/app/service", "--healthcheck"], name);
  }
});

Deno.test("compose.yaml pins every image and keeps data in volumes", () => {
  for (const [name, service] of Object.entries(services)) {
    if (service.build !== undefined) continue;
    // PostgreSQL's tags are major.minor (17.6 is a patch release of 17); others carry a patch.
    const pinned = name === "postgres"
      ? /^postgres:\d+\.\d+$/
      : /^[\w./-]+:v?\d+\.\d+\.\d+[\w.-]*$/;
    assert.match(service.image, pinned, `${name} image is pinned`);
  }
  const mounts = (name: string): string[] => services[name].volumes ?? [];
  // WORKDIR /app and the baked --allow-write=./data: the data lives in /app/data.
  assert.ok(mounts("tracing").some((m) => /^[\w-]+:\/app\/data$/.test(m)), "tracing data volume");
  assert.ok(mounts("rabbitmq").some((m) => /^[\w-]+:\/var\/lib\/rabbitmq$/.test(m)));
  assert.ok(mounts("postgres").some((m) => /^[\w-]+:\/var\/lib\/postgresql\/data$/.test(m)));
  for (const mount of Object.values(services).flatMap((service) => service.volumes ?? [])) {
    const source = String(mount).split(":")[0] ?? "";
    if (source.startsWith(".")) continue;
    assert.ok(source in (compose.volumes ?? {}), `volume "${source}" is declared`);
  }
});

Deno.test("compose.yaml keeps user and order in the postgres service, ready before they start", () => {
  const { POSTGRES_USER: user, POSTGRES_PASSWORD: pass, POSTGRES_DB: db } =
    services.postgres.environment;
  assert.deepEqual(services.postgres.healthcheck.test, ["CMD", "pg_isready", "-U", user, "-d", db]);
  for (const name of ["user", "order"]) {
    const service = services[name];
    assert.equal(
      service.environment.DATABASE_URL,
      `postgres://${user}:${pass}@postgres:5432/${db}`,
    );
    assert.deepEqual(service.depends_on.postgres, { condition: "service_healthy" }, name);
    // Their records are in PostgreSQL, so no replica needs a data volume of its own.
    assert.equal(service.volumes, undefined, `${name} mounts no data volume`);
  }
});

Deno.test("deploy/compose.scale.yaml lets user and order run as replicas", async () => {
  // `!override` (Compose 2.24.4+) replaces the base file's ports instead of appending to them.
  const text = await Deno.readTextFile(new URL("deploy/compose.scale.yaml", ROOT));
  const overlay: Json = parse(text, { logLevel: "silent" });
  assert.deepEqual(Object.keys(overlay.services).sort(), ["order", "user"]);
  for (const [name, service] of Object.entries<Json>(overlay.services)) {
    assert.match(text, new RegExp(`  ${name}:\\n    ports: !override\\n`), name);
    for (const port of service.ports) {
      // "127.0.0.1::3000": no fixed host port, so replicas do not collide.
      assert.match(port, /^127\.0\.0\.1::\d+$/, `${name} ${port}`);
      assert.equal(parsePort(port).container, specOf(name).port, `${name} ${port}`);
    }
  }
  assert.match(text, /--scale user=2 --scale order=2/);
});

Deno.test("Prometheus scrapes /metrics of every service on its PORT", async () => {
  const mount = services.prometheus.volumes.find((m: string) => m.startsWith("./"));
  assert.equal(mount, "./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
  const config: Json = parse(await Deno.readTextFile(new URL("deploy/prometheus.yml", ROOT)));
  const job = config.scrape_configs.find((c: Json) => c.job_name === "services");
  assert.equal(job.metrics_path, "/metrics");
  const targets: string[] = job.static_configs.flatMap((c: Json) => c.targets);
  assert.deepEqual(
    targets.sort(),
    built.map(([name]) => `${name}:${specOf(name).port}`).sort(),
  );
});
