/**
 * Scenario 7's child process: the user app driven in-process through `app.request()` on
 * GET /users/:username, one app per telemetry variant, variants interleaved, and the process's
 * CPU time per request printed as one JSON line per run. In-process runs leave out the HTTP
 * server and the load generator, so what tracing adds stands out even on a loaded machine.
 *
 * Each variant's telemetry is built by the services' own `startTelemetry` from a config that
 * `loadConfig` read, so this runner follows the pipeline as shipped; spans go to an OTLP discard
 * endpoint served inside this process, whose share of the CPU time is small (one request per
 * batch). "as shipped" logs one info line a request as a service does: buffered to stdout (which
 * the scenario reads and discards) and shipped as an OTLP log record; results go to stderr, one
 * `RESULT {...}` line each. The modules come in through static imports, and a compared checkout's through dynamic
 * imports typed as this checkout's modules, so `deno check` sees every name used here.
 *
 *   deno run --allow-all bench/inprocess_runner.ts '{"requests":20000,"repeats":3}'
 */
import process from "node:process";
import { trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import * as log from "../lib/log.ts";
import { configureLogOutput } from "../lib/log_output.ts";
import * as sqlite from "../lib/sqlite.ts";
import * as setup from "../lib/telemetry/setup.ts";
import * as userApp from "../user/app.ts";
import * as userConfig from "../user/config.ts";
import * as userStore from "../user/store.ts";

/** What the runner is asked for. */
export interface InprocessSpec {
  requests: number;
  repeats: number;
  /** Another checkout whose user app runs as extra variants. */
  compare?: string;
  /** Only these variants (and untraced), e.g. to profile one. */
  only?: string[];
}

/** One measured run. */
export interface InprocessResult {
  variant: string;
  repeat: number;
  cpuMicrosPerRequest: number;
}

/** The modules a checkout's variants are built from, typed as this checkout's. */
interface CheckoutModules {
  log: typeof log;
  sqlite: typeof sqlite;
  setup: typeof setup;
  userApp: typeof userApp;
  userConfig: typeof userConfig;
  userStore: typeof userStore;
}

interface Variant {
  name: string;
  app: { request(url: string, init?: RequestInit): Response | Promise<Response> };
  flush(): Promise<void>;
}

const USERS = 50;

/** Starts each result line on stderr. */
export const RESULT = "RESULT ";
const TEN_PERCENT = {
  OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
  OTEL_TRACES_SAMPLER_ARG: "0.1",
};
const ALL = { OTEL_TRACES_SAMPLER: "parentbased_always_on" };

/** The same modules from another checkout, loaded at run time. */
async function loadCheckout(root: string): Promise<CheckoutModules> {
  const load = <T>(path: string): Promise<T> => import(`file://${root}/${path}`);
  return {
    log: await load<typeof log>("lib/log.ts"),
    sqlite: await load<typeof sqlite>("lib/sqlite.ts"),
    setup: await load<typeof setup>("lib/telemetry/setup.ts"),
    userApp: await load<typeof userApp>("user/app.ts"),
    userConfig: await load<typeof userConfig>("user/config.ts"),
    userStore: await load<typeof userStore>("user/store.ts"),
  };
}

/** What bench/plain_sdk_preload.ts sets up: SDK defaults, the official exporter, no gate. */
function registerPlainSdk(ratio: number, sinkUrl: string): void {
  trace.setGlobalTracerProvider(
    new TracerProvider({
      resource: defaultResource().merge(resourceFromAttributes({ "service.name": "user" })),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
      spanProcessors: [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter({ url: `${sinkUrl}/v1/traces` }),
        }),
      ],
    }),
  );
}

/** One variant's user app, its telemetry started as `startService` starts it. */
function buildVariant(
  modules: CheckoutModules,
  name: string,
  options: {
    env: Record<string, string>;
    sinkUrl: string;
    plainRatio?: number;
    logLevel?: log.LogLevel;
    /** One console write a line, as LOG_SYNC=true does. */
    syncLines?: boolean;
  },
): Variant {
  // Each variant registers its own provider; its tracer keeps it after the next one does.
  trace.disable();
  if (options.plainRatio !== undefined) registerPlainSdk(options.plainRatio, options.sinkUrl);
  const dataDir = Deno.makeTempDirSync({ prefix: "inprocess-" });
  const config = modules.userConfig.loadConfig({
    DATA_DIR: dataDir,
    OTEL_SERVICE_NAME: "user",
    OTEL_EXPORTER_OTLP_ENDPOINT: options.sinkUrl,
    ...options.env,
  });
  const logger = modules.log.createLogger({
    service: "user",
    level: options.logLevel ?? "error",
    ...(options.syncLines ? { write: modules.log.writeToConsole } : {}),
  });
  const telemetry = modules.setup.startTelemetry(config.telemetry, { logger });
  const db = modules.sqlite.openDatabase(`${dataDir}/users.db`, { tracer: telemetry.tracer });
  const store = modules.userStore.createUserStore(db);
  for (let i = 0; i < USERS; i++) {
    store.create({ username: `bench-user-${i}`, email: `u${i}@example.com`, full_name: "U" });
  }
  const app = modules.userApp.createApp({
    store,
    logger,
    telemetry,
    maxBodyBytes: config.maxBodyBytes,
  });
  return { name, app, flush: () => telemetry.forceFlush(5000) };
}

function checkoutVariants(
  modules: CheckoutModules,
  prefix: string,
  options: { sinkUrl: string; ours: boolean },
): Variant[] {
  const { sinkUrl } = options;
  const noLogs = { OTEL_LOGS_EXPORTER: "none" };
  const build = (name: string, env: Record<string, string>, plainRatio?: number) =>
    buildVariant(modules, `${prefix}${name}`, { env: { ...noLogs, ...env }, sinkUrl, plainRatio });
  const variants = [
    build("untraced", { OTEL_SDK_DISABLED: "true" }),
    // The defaults, as a service runs them, and one request line a request.
    buildVariant(modules, `${prefix}as shipped: 100%, request lines, OTLP logs`, {
      env: {},
      sinkUrl,
      logLevel: "info",
    }),
    build("unsampled (ratio 0)", {
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0",
    }),
    build("sampled 10%", TEN_PERCENT),
    build("sampled 100%", ALL),
    buildVariant(modules, `${prefix}sampled 100%, request lines only`, {
      env: { ...noLogs, ...ALL },
      sinkUrl,
      logLevel: "info",
    }),
  ];
  if (options.ours) {
    variants.push(buildVariant(modules, "sampled 100%, request lines only, LOG_SYNC", {
      env: { ...noLogs, ...ALL },
      sinkUrl,
      logLevel: "info",
      syncLines: true,
    }));
  }
  if (options.ours) {
    variants.push(
      build("sampled 100%, official serializer", { ...ALL, OTLP_SERIALIZER: "official" }),
      build("plain SDK 10%", TEN_PERCENT, 0.1),
      build("plain SDK 100%", ALL, 1),
    );
  }
  return variants;
}

async function run(variant: Variant, requests: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    const response = await variant.app.request(
      `http://localhost:3001/users/bench-user-${i % USERS}`,
      { headers: { "user-agent": "bench/1" } },
    );
    if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
    await response.arrayBuffer();
  }
  // Export what this run queued, inside the measured CPU time.
  await variant.flush();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / requests;
}

if (import.meta.main) {
  const spec = JSON.parse(Deno.args[0] ?? "{}") as InprocessSpec;
  const empty = new Uint8Array(0);
  const sink = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    await request.arrayBuffer();
    return new Response(empty, { headers: { "content-type": "application/x-protobuf" } });
  });
  const sinkUrl = `http://127.0.0.1:${sink.addr.port}`;
  const own: CheckoutModules = { log, sqlite, setup, userApp, userConfig, userStore };
  // As `startService` does; only "as shipped" writes lines (the others log errors only).
  configureLogOutput({
    mode: "buffered",
    maxUnwrittenBytes: 1024 * 1024,
    service: "user",
    format: "json",
  });
  const all = [
    ...checkoutVariants(own, "", { sinkUrl, ours: true }),
    ...spec.compare === undefined ? [] : checkoutVariants(
      await loadCheckout(spec.compare),
      "compared checkout, ",
      { sinkUrl, ours: false },
    ),
  ];
  const variants = all.filter((variant) =>
    spec.only === undefined || variant.name === "untraced" || spec.only.includes(variant.name)
  );
  for (const variant of variants) await run(variant, Math.min(spec.requests, 5000));
  for (let repeat = 0; repeat < spec.repeats; repeat++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + repeat) % variants.length]!;
      const result: InprocessResult = {
        variant: variant.name,
        repeat,
        cpuMicrosPerRequest: await run(variant, spec.requests),
      };
      Deno.stderr.writeSync(new TextEncoder().encode(`${RESULT}${JSON.stringify(result)}\n`));
    }
  }
  Deno.exit(0);
}
