/**
 * compose.yaml's topology as processes, without containers: real Jaeger (the pinned binary),
 * the local RabbitMQ (a vhost of the test's own, with compose's credentials) and PostgreSQL (a
 * test database) stand in for the images; each of our services runs with exactly the
 * environment compose gives it, in depends_on order, the host names and ports of its peers
 * rewritten to the loopback ports they really listen on. An address no service of compose listens
 * on is an error here, so such a broken wiring fails before any request is sent; one that names
 * the wrong listener (Jaeger's gRPC port for OTLP/HTTP, say) fails when the trace never arrives.
 */
import { parse } from "yaml";
import { freePort } from "../lib/testing/free_port.ts";
import { JaegerProcess } from "../lib/testing/jaeger.ts";
import { createTestDatabase, type TestDatabase } from "../lib/testing/postgres.ts";
import {
  REPO_ROOT,
  type ServiceProcess,
  startServiceProcess,
} from "../lib/testing/service_process.ts";
import { waitFor } from "../lib/testing/wait.ts";
import { TestVhost } from "../lib/testing/rabbitmq_vhost.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** The variables our services listen on, by the `api` their "Listening" line names. */
const LISTEN_VARIABLES: Readonly<Record<string, string>> = { PORT: "http", OTLP_PORT: "otlp" };

/** The running topology. */
export interface ComposeTopology {
  jaeger: JaegerProcess;
  /** Our services by compose name. */
  services: Record<string, ServiceProcess>;
  /** The environment each service was started with, after rewriting. */
  env: Record<string, Record<string, string>>;
  /** `host:port` as compose's network names it → the loopback URL authority it became. */
  addresses: ReadonlyMap<string, string>;
  /** Stops everything; resolves with our services' exit codes by name. */
  stop(): Promise<Record<string, number>>;
}

/** compose.yaml parsed with its anchors merged. */
export function readCompose(path = `${REPO_ROOT}compose.yaml`): Json {
  return parse(Deno.readTextFileSync(path), { merge: true });
}

/** Our services (those compose builds from this repository), dependencies first. */
export function servicesInStartOrder(compose: Json): string[] {
  const ours = Object.keys(compose.services).filter((name) =>
    compose.services[name].build !== undefined
  );
  const order: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (order.includes(name) || !ours.includes(name)) return;
    if (path.includes(name)) throw new Error(`compose.yaml: depends_on cycle ${path.join(" → ")}`);
    for (const dependency of Object.keys(compose.services[name].depends_on ?? {})) {
      visit(dependency, [...path, name]);
    }
    order.push(name);
  };
  for (const name of ours) visit(name, []);
  return order;
}

/** Starts Jaeger, a test database and vhost, then each of our services as compose configures it. */
export async function startComposeTopology(
  compose: Json = readCompose(),
): Promise<ComposeTopology> {
  const services: Record<string, ServiceProcess> = {};
  const env: Record<string, Record<string, string>> = {};
  const addresses = new Map<string, string>();
  const dataDir = await Deno.makeTempDir({ prefix: "compose_" });
  let jaeger: JaegerProcess | undefined;
  let database: TestDatabase | undefined;
  let vhost: TestVhost | undefined;
  const stop = async () => {
    const codes: Record<string, number> = {};
    for (const name of Object.keys(services).reverse()) codes[name] = await services[name]!.stop();
    await jaeger?.close();
    await database?.drop();
    await vhost?.delete();
    await Deno.remove(dataDir, { recursive: true });
    return codes;
  };
  try {
    jaeger = await JaegerProcess.start();
    // The ports Jaeger v2's image listens on, from its default configuration.
    addresses.set("jaeger:4318", `127.0.0.1:${jaeger.ports.otlpHttp}`);
    addresses.set("jaeger:4317", `127.0.0.1:${jaeger.ports.otlpGrpc}`);
    addresses.set("jaeger:16686", `127.0.0.1:${jaeger.ports.queryHttp}`);
    addresses.set("jaeger:16685", `127.0.0.1:${jaeger.ports.queryGrpc}`);
    database = await createTestDatabase("compose");
    vhost = await TestVhost.create(credentialsOf(compose, "rabbitmq"));
    const order = servicesInStartOrder(compose);
    // Every listener gets its port before anything starts, as each container has its address.
    const listens: Record<string, Record<string, number>> = {};
    for (const name of order) {
      listens[name] = {};
      for (const [key, value] of Object.entries(compose.services[name].environment ?? {})) {
        if (LISTEN_VARIABLES[key] === undefined) continue;
        const port = freePort();
        listens[name][key] = port;
        addresses.set(`${name}:${value}`, `127.0.0.1:${port}`);
      }
    }
    const context = { compose, addresses, database, vhost };
    for (const name of order) {
      const own: Record<string, string> = {};
      for (const [key, value] of Object.entries(compose.services[name].environment ?? {})) {
        own[key] = listens[name]![key] !== undefined
          ? String(listens[name]![key])
          : rewriteValue(String(value), `${name}'s ${key}`, context);
      }
      const serviceDir = `${dataDir}/${name}`;
      await Deno.mkdir(serviceDir);
      const process = await startServiceProcess({
        service: name,
        dataDir: serviceDir,
        env: { DATA_DIR: serviceDir, ...own },
        listeners: Object.keys(listens[name]!).map((key) => LISTEN_VARIABLES[key]!),
        clearEnv: true,
      });
      services[name] = process;
      env[name] = own;
      // compose waits for each dependency's health check; the test for /ready.
      await waitFor(`${name} to be ready`, async () => {
        const response = await fetch(`${process.url}/ready`);
        await response.body?.cancel();
        return response.ok;
      }, { timeoutMs: 30_000 });
    }
    return { jaeger, services, env, addresses, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A compose image's user and password, from its documented variables. */
function credentialsOf(compose: Json, service: string): { user: string; password: string } {
  const environment = compose.services[service]?.environment ?? {};
  const prefix = service === "postgres" ? "POSTGRES" : "RABBITMQ_DEFAULT";
  const user = environment[`${prefix}_USER`];
  const password = environment[`${prefix}_PASSWORD`] ?? environment[`${prefix}_PASS`];
  if (user === undefined || password === undefined) {
    throw new Error(`compose.yaml: ${service} sets no user and password`);
  }
  return { user: String(user), password: String(password) };
}

/**
 * A value with URLs on compose's network (`http://user:3001`, `amqp://demo:demo@rabbitmq:5672`,
 * comma-separated lists too) rewritten to the processes standing in; anything else unchanged.
 */
function rewriteValue(value: string, what: string, context: {
  compose: Json;
  addresses: ReadonlyMap<string, string>;
  database: TestDatabase;
  vhost: TestVhost;
}): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//.test(value)) return value;
  return value.split(",").map((item) => {
    const url = new URL(item.trim());
    const host = url.hostname;
    if (context.compose.services[host] === undefined) return item;
    const fail = (why: string) => {
      throw new Error(`compose.yaml: ${what} is "${item}", but ${why}`);
    };
    if (host === "postgres") {
      const credentials = credentialsOf(context.compose, "postgres");
      const database = context.compose.services.postgres.environment?.POSTGRES_DB;
      if (url.port !== "5432") fail("postgres listens on 5432");
      if (decodeURIComponent(url.username) !== credentials.user) fail("postgres has no such user");
      if (decodeURIComponent(url.password) !== credentials.password) fail("that password is wrong");
      if (url.pathname !== `/${database}`) fail(`postgres creates database "${database}"`);
      return context.database.url;
    }
    if (host === "rabbitmq") {
      if (url.protocol !== "amqp:" || (url.port || "5672") !== "5672") {
        fail("RabbitMQ takes AMQP on 5672");
      }
      if (url.pathname !== "" && url.pathname !== "/") fail("only the default vhost exists");
      return context.vhost.url({
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
      });
    }
    const target = context.addresses.get(`${host}:${url.port || defaultPort(url.protocol)}`);
    if (target === undefined) fail(`no service of compose.yaml listens there`);
    const authority = url.username === "" ? "" : `${url.username}:${url.password}@`;
    return item.trim().replace(`//${authority}${url.host}`, `//${authority}${target}`);
  }).join(",");
}

function defaultPort(protocol: string): string {
  return protocol === "https:" ? "443" : "80";
}
