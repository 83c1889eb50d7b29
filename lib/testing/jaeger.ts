/**
 * Real Jaeger v2 for tests: the pinned binary (lib/testing/jaeger_binary.ts) as a process with
 * OTLP in (HTTP and gRPC), the query APIs (/api/..., /api/v3/...) and nothing else, every port
 * a free loopback one chosen up front, so the process can be restarted on the same ports.
 *
 * Storage is in memory (gone on restart) or Badger in the test's temp dir (kept across restarts,
 * for counting what arrived while Jaeger went down and came back).
 */
import { join } from "node:path";
import { textLines } from "../text_lines.ts";
import { freePort } from "./free_port.ts";
import { jaegerBuild, requireJaegerBinary } from "./jaeger_binary.ts";
import { waitFor } from "./wait.ts";

/** The loopback ports a Jaeger process listens on. */
export interface JaegerPorts {
  otlpHttp: number;
  otlpGrpc: number;
  queryHttp: number;
  queryGrpc: number;
}

/** Options of `JaegerProcess.start`. */
export interface JaegerOptions {
  /** `memory` (default) or `badger`, on disk in the temp dir, kept across `restart()`. */
  storage?: "memory" | "badger";
  /** How long to wait for "Everything is ready" and a first answer; default 30 s. */
  startTimeoutMs?: number;
}

/** A tag of Jaeger's JSON model (`/api/traces`). */
export interface JaegerJsonTag {
  key: string;
  type: string;
  value: unknown;
}

/** A trace in Jaeger's JSON model, as its `/api/traces/{id}` answers it. */
export interface JaegerJsonTrace {
  traceID: string;
  spans: {
    traceID: string;
    spanID: string;
    operationName: string;
    references: { refType: string; traceID: string; spanID: string }[];
    startTime: number;
    duration: number;
    tags: JaegerJsonTag[];
    logs: { timestamp: number; fields: JaegerJsonTag[] }[];
    processID: string;
    warnings: string[] | null;
  }[];
  processes: Record<string, { serviceName: string; tags: JaegerJsonTag[] }>;
  warnings: string[] | null;
}

const READY_MESSAGE = "Everything is ready. Begin running and processing data.";
const STORE = "store";

/** A running Jaeger v2 (`cmd/jaeger`) process. */
export class JaegerProcess {
  /** The Jaeger release it runs, e.g. "2.12.0". */
  readonly release: string;
  readonly ports: JaegerPorts;
  readonly #binary: string;
  readonly #dir: string;
  readonly #configPath: string;
  readonly #startTimeoutMs: number;
  #child: Deno.ChildProcess | undefined;
  #exited: Promise<number> = Promise.resolve(0);
  #lines: string[] = [];

  private constructor(
    options: { binary: string; release: string; dir: string; ports: JaegerPorts },
    startTimeoutMs: number,
  ) {
    this.#binary = options.binary;
    this.release = options.release;
    this.#dir = options.dir;
    this.#configPath = join(options.dir, "config.yaml");
    this.ports = options.ports;
    this.#startTimeoutMs = startTimeoutMs;
  }

  /**
   * Starts Jaeger and resolves once its query API answers; fails naming `bash .ci/services` when
   * the binary is not built. Ports taken by another process in between are retried on fresh ones.
   */
  static async start(options: JaegerOptions = {}): Promise<JaegerProcess> {
    const build = jaegerBuild();
    const binary = requireJaegerBinary(build);
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const dir = await Deno.makeTempDir({ prefix: "jaeger_" });
      const ports = { otlpHttp: 0, otlpGrpc: 0, queryHttp: 0, queryGrpc: 0 };
      for (const key of Object.keys(ports) as (keyof JaegerPorts)[]) ports[key] = freePort();
      const jaeger = new JaegerProcess({ binary, release: build.release, dir, ports }, timeoutMs);
      await Deno.writeTextFile(
        jaeger.#configPath,
        JSON.stringify(jaegerConfig(ports, options.storage ?? "memory", dir), null, 2),
      );
      try {
        await jaeger.#spawn();
        return jaeger;
      } catch (error) {
        await jaeger.close();
        lastError = error;
        if (!/address already in use/.test(String(error))) break;
      }
    }
    throw lastError;
  }

  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT; traces go to `${otlpEndpoint}/v1/traces`. */
  get otlpEndpoint(): string {
    return `http://127.0.0.1:${this.ports.otlpHttp}`;
  }

  /** OTLP/gRPC endpoint (`http://127.0.0.1:<port>`, plaintext). */
  get otlpGrpcEndpoint(): string {
    return `http://127.0.0.1:${this.ports.otlpGrpc}`;
  }

  /** Base URL of the query APIs and UI: `${queryUrl}/api/traces/{id}`, `${queryUrl}/api/v3/...`. */
  get queryUrl(): string {
    return `http://127.0.0.1:${this.ports.queryHttp}`;
  }

  /** The process id while it runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Everything the process wrote so far, across restarts. */
  output(): string {
    return this.#lines.join("\n");
  }

  /** GETs `path` from the query API; resolves to the status and the parsed JSON body. */
  async get(path: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.queryUrl}${path}`);
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch {
      throw new Error(`Jaeger answered ${response.status} to ${path} with: ${text}`);
    }
  }

  /** Polls `/api/traces/{id}` until it holds at least `minSpans` spans; resolves to the trace. */
  async waitForTrace(
    traceId: string,
    { minSpans, timeoutMs = 15_000 }: { minSpans: number; timeoutMs?: number },
  ): Promise<JaegerJsonTrace> {
    let last: JaegerJsonTrace | undefined;
    return await waitFor(
      () =>
        `Jaeger to hold trace ${traceId} with at least ${minSpans} spans; it has ${
          last?.spans.length ?? 0
        }: ${JSON.stringify(last?.spans.map((span) => span.operationName) ?? [])}`,
      async () => {
        const { status, body } = await this.get(`/api/traces/${traceId}`);
        last = status === 200 ? (body as { data: JaegerJsonTrace[] }).data[0] : undefined;
        return last !== undefined && last.spans.length >= minSpans ? last : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** Sends `signal` (default SIGTERM) and resolves with the exit code; the storage stays. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<number> {
    const child = this.#child;
    if (child === undefined) return await this.#exited;
    this.#child = undefined;
    try {
      child.kill(signal);
    } catch { /* already gone */ }
    return await this.#exited;
  }

  /** Starts it again on the same ports with the same storage (kept only by `badger`). */
  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn();
  }

  /** Stops it (SIGTERM) if it runs and removes its temp dir; resolves with the exit code. */
  async close(): Promise<number> {
    const code = await this.stop();
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
    return code;
  }

  async #spawn(): Promise<void> {
    const child = new Deno.Command(this.#binary, {
      args: [`--config=file:${this.#configPath}`],
      cwd: this.#dir,
      // Nothing of the test's environment (OTEL_* above all) reaches Jaeger.
      clearEnv: true,
      env: { HOME: this.#dir, PATH: "/usr/bin:/bin" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    let onReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => onReady = resolve);
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      for await (const line of textLines(stream)) {
        this.#lines.push(line);
        if (line.includes(READY_MESSAGE)) onReady();
      }
    };
    const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
    this.#exited = child.status.then(async (status) => {
      await pumps;
      return status.code;
    });
    const exited = this.#exited.then((code) => `exited with code ${code}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      ready.then(() => undefined),
      exited,
      new Promise<string>((resolve) =>
        timer = setTimeout(() => resolve("timed out"), this.#startTimeoutMs)
      ),
    ]);
    clearTimeout(timer);
    if (outcome === undefined) {
      const answered = await waitFor("Jaeger's query API to answer", async () => {
        const response = await fetch(`${this.queryUrl}/api/services`).catch(() => undefined);
        await response?.body?.cancel();
        return response?.status === 200;
      }, { timeoutMs: this.#startTimeoutMs }).catch((error: Error) => error.message);
      if (answered === true) return;
    }
    await this.stop("SIGKILL");
    throw new Error(
      `Jaeger v${this.release} did not start (${outcome ?? "query API silent"}):\n${
        this.#lines.slice(-20).join("\n")
      }`,
    );
  }
}

/** The whole Jaeger configuration: OTLP in, one store, the query extension; no other ports. */
function jaegerConfig(ports: JaegerPorts, storage: "memory" | "badger", dir: string): unknown {
  const loopback = (port: number) => `127.0.0.1:${port}`;
  const backend = storage === "memory" ? { memory: { max_traces: 100_000 } } : {
    badger: {
      directories: { keys: join(dir, "badger", "keys"), values: join(dir, "badger", "values") },
      ephemeral: false,
    },
  };
  return {
    service: {
      extensions: ["jaeger_storage", "jaeger_query"],
      pipelines: {
        traces: { receivers: ["otlp"], processors: [], exporters: ["jaeger_storage_exporter"] },
      },
      // Its own metrics would listen on 8888; logs as JSON lines, read for the ready message.
      telemetry: { metrics: { level: "none" }, logs: { level: "info", encoding: "json" } },
    },
    extensions: {
      jaeger_storage: { backends: { [STORE]: backend } },
      jaeger_query: {
        storage: { traces: STORE },
        // On by default in v2: it would export Jaeger's own spans to localhost:4318.
        enable_tracing: false,
        http: { endpoint: loopback(ports.queryHttp) },
        grpc: { endpoint: loopback(ports.queryGrpc) },
      },
    },
    receivers: {
      otlp: {
        protocols: {
          http: { endpoint: loopback(ports.otlpHttp) },
          grpc: { endpoint: loopback(ports.otlpGrpc) },
        },
      },
    },
    exporters: { jaeger_storage_exporter: { trace_storage: STORE } },
  };
}
