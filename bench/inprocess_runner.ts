/**
 * Scenario 7's child process: the user app driven in-process through `app.request()` on
 * GET /users/:username, one app per telemetry variant, variants interleaved, and the process's
 * CPU time per request printed as one JSON line per run. In-process runs leave out the HTTP
 * server and the load generator, so what tracing adds stands out even on a loaded machine.
 *
 *   deno run --allow-all bench/inprocess_runner.ts '{"requests":20000,"repeats":3}'
 */
import process from "node:process";
import { trace, type Tracer } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
  TracerProvider,
} from "@opentelemetry/sdk-trace";

/** What the runner is asked for. */
export interface InprocessSpec {
  requests: number;
  repeats: number;
  /** Another checkout whose user app runs as extra variants. */
  compare?: string;
}

/** One measured run. */
export interface InprocessResult {
  variant: string;
  repeat: number;
  cpuMicrosPerRequest: number;
}

const USERS = 50;
const ROOT = new URL("../", import.meta.url).pathname;

interface App {
  request(url: string, init?: RequestInit): Response | Promise<Response>;
}

type Encode = (spans: ReadableSpan[]) => Uint8Array | undefined;

/** An exporter that encodes (or not) and throws the bytes away. */
function discardingExporter(encode: Encode | undefined): SpanExporter {
  return {
    export(spans, done) {
      encode?.(spans);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
}

/** The variants of one checkout's user app, built as `startTelemetry` builds its pipeline. */
async function checkoutVariants(root: string, prefix: string, ours: boolean) {
  const load = (path: string) => import(`file://${root}/${path}`);
  const { createApp } = await load("user/app.ts");
  const { createUserStore } = await load("user/store.ts");
  const { openDatabase } = await load("lib/sqlite.ts");
  const { createLogger } = await load("lib/log.ts");
  const { installGlobals, createSampler } = await load("lib/telemetry/setup.ts");
  const { PooledIdGenerator } = await load("lib/telemetry/id_generator.ts");
  const { ExportGate, GatedSampler } = await load("lib/telemetry/export_gate.ts");
  installGlobals();
  const logger = createLogger({ service: "user", level: "error" });

  const build = (
    name: string,
    sampler: Sampler | undefined,
    encode?: Encode,
    options: { plain?: boolean } = {},
  ) => {
    let tracer: Tracer = trace.getTracer("untraced");
    if (sampler !== undefined) {
      const exporter = discardingExporter(encode);
      const provider = options.plain
        // What bench/plain_sdk_preload.ts sets up: SDK defaults, no export gate.
        ? new TracerProvider({
          resource: resourceFromAttributes({ "service.name": "user" }),
          sampler,
          spanProcessors: [new BatchSpanProcessor({ exporter })],
        })
        : new TracerProvider({
          resource: resourceFromAttributes({ "service.name": "user" }),
          sampler: new GatedSampler(sampler, new ExportGate()),
          idGenerator: new PooledIdGenerator(),
          spanProcessors: [
            new BatchSpanProcessor({
              exporter,
              maxQueueSize: 8192,
              maxExportBatchSize: 512,
              scheduledDelayMillis: 20,
            }),
          ],
        });
      tracer = provider.getTracer("distributed-tracing", "1.0.0");
    }
    const db = openDatabase(`${Deno.makeTempDirSync({ prefix: "inprocess-" })}/users.db`, {
      tracer,
    });
    const store = createUserStore(db);
    for (let i = 0; i < USERS; i++) {
      store.create({ username: `bench-user-${i}`, email: `u${i}@example.com`, full_name: "U" });
    }
    const telemetry = {
      mode: sampler === undefined ? "disabled" : "sdk",
      tracer,
      summary: {},
      stats: () => undefined,
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const app: App = createApp({ store, logger, telemetry, maxBodyBytes: 65536 });
    return { name: `${prefix}${name}`, app };
  };
  const sampler = (name: string, samplerArg: number): Sampler =>
    createSampler({ sampler: name, samplerArg });
  const all = sampler("parentbased_always_on", 1);
  const variants = [
    build("untraced", undefined),
    build("unsampled (ratio 0)", sampler("parentbased_traceidratio", 0)),
    build("sampled 10%", sampler("parentbased_traceidratio", 0.1)),
    build("sampled 100%, not encoded", all),
    build(
      "sampled 100%, official serializer",
      all,
      (spans) => ProtobufTraceSerializer.serializeRequest(spans),
    ),
  ];
  if (ours) {
    const official: Encode = (spans) => ProtobufTraceSerializer.serializeRequest(spans);
    const ratio = sampler("parentbased_traceidratio", 0.1);
    variants.push(
      build("plain SDK 10%", ratio, official, { plain: true }),
      build("plain SDK 100%", all, official, { plain: true }),
    );
    const { OtlpProtobufTraceEncoder } = await load("lib/telemetry/otlp_protobuf_traces.ts");
    const encoder = new OtlpProtobufTraceEncoder();
    variants.push(build("sampled 100%", all, (spans) => encoder.encode(spans)));
  }
  return variants;
}

async function run(app: App, requests: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    const response = await app.request(`http://localhost:3001/users/bench-user-${i % USERS}`, {
      headers: { "user-agent": "bench/1" },
    });
    if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
    await response.arrayBuffer();
  }
  // Let the batch processor export what this run queued, inside the measured CPU time.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / requests;
}

if (import.meta.main) {
  const spec = JSON.parse(Deno.args[0] ?? "{}") as InprocessSpec;
  const variants = [
    ...await checkoutVariants(ROOT.replace(/\/$/, ""), "", true),
    ...spec.compare === undefined
      ? []
      : await checkoutVariants(spec.compare, "compared checkout, ", false),
  ];
  for (const variant of variants) await run(variant.app, Math.min(spec.requests, 5000));
  for (let repeat = 0; repeat < spec.repeats; repeat++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + repeat) % variants.length]!;
      const result: InprocessResult = {
        variant: variant.name,
        repeat,
        cpuMicrosPerRequest: await run(variant.app, spec.requests),
      };
      await Deno.stdout.write(new TextEncoder().encode(`${JSON.stringify(result)}\n`));
    }
  }
  Deno.exit(0);
}
