/**
 * Runs the tracing service as a real `deno run` process on free ports, for end-to-end tests.
 *
 * `startTracingProcess()` resolves once both ports listen, to:
 * - `otlpEndpoint`: the OTLP/HTTP base URL (`http://127.0.0.1:<port>`), for
 *   OTEL_EXPORTER_OTLP_ENDPOINT; traces go to `${otlpEndpoint}/v1/traces`.
 * - `queryUrl`: the query API base URL (`http://127.0.0.1:<port>`).
 * - `waitForTrace(traceId, { minSpans, timeoutMs = 10000 })`: polls `/api/traces/:id` until the
 *   trace has at least `minSpans` spans and resolves to it in Jaeger's JSON model (`JaegerTrace`:
 *   `traceID`, `spans[]` with `spanID`, `operationName`, `references`, `startTime`/`duration` in
 *   µs, `tags`, `logs`, `processID`, and `processes`); rejects with the last state on timeout.
 * - `ownTrace(traceId)`: the same trace from the own API (`/api/v1/traces/:id`), snake_case.
 * - `stop()`: SIGTERM, waits for exit, removes the temp data dir unless one was given.
 * - `kill()`: SIGKILL, as a crash would; waits for exit and keeps the data dir.
 */
import { servicePermissions } from "../../lib/testing/service_process.ts";
import type { JaegerTrace } from "../query/jaeger_model.ts";

/** A running tracing process. */
export interface TracingProcess {
  otlpEndpoint: string;
  queryUrl: string;
  waitForTrace(
    traceId: string,
    opts: { minSpans: number; timeoutMs?: number },
  ): Promise<JaegerTrace>;
  ownTrace(traceId: string): Promise<Record<string, unknown> | undefined>;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Starts the service; `env` adds variables (e.g. SAMPLING_RATIO). */
export async function startTracingProcess(
  options: { dataDir?: string; env?: Record<string, string> } = {},
): Promise<TracingProcess> {
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "tracing_" });
  const main = new URL("../main.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...servicePermissions(dataDir), main],
    env: {
      PORT: "0",
      OTLP_PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      WRITE_FLUSH_MS: "20",
      OTEL_SDK_DISABLED: "true",
      ...options.env,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const pump = (stream: ReadableStream<Uint8Array>) =>
    stream.pipeTo(new WritableStream({ write: (chunk) => void (text += decoder.decode(chunk)) }));
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const status = child.status;

  const ports = await waitFor(
    async () => {
      const match = /"msg":"Tracing ready","otlp_port":(\d+),"query_port":(\d+)/.exec(text);
      if (match !== null) return { otlp: match[1]!, query: match[2]! };
      const exited = await Promise.race([status, delay(50).then(() => undefined)]);
      if (exited !== undefined) throw new Error(`The tracing process exited early:\n${text}`);
      return undefined;
    },
    15_000,
    () => `The tracing process did not start:\n${text}`,
  ).catch(async (error) => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await status;
    await pumps;
    throw error;
  });
  const queryUrl = `http://127.0.0.1:${ports.query}`;

  const fetchJson = async (url: string): Promise<unknown> => {
    const response = await fetch(url);
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    return await response.json();
  };
  let stopped: Promise<void> | undefined;
  return {
    otlpEndpoint: `http://127.0.0.1:${ports.otlp}`,
    queryUrl,
    output: () => text,
    async waitForTrace(traceId, { minSpans, timeoutMs = 10_000 }) {
      let last: JaegerTrace | undefined;
      return await waitFor(
        async () => {
          const body = await fetchJson(`${queryUrl}/api/traces/${traceId}`) as
            | { data: JaegerTrace[] }
            | undefined;
          last = body?.data[0];
          return last !== undefined && last.spans.length >= minSpans ? last : undefined;
        },
        timeoutMs,
        () =>
          `Trace ${traceId} has ${last?.spans.length ?? 0} spans, expected at least ${minSpans}: ${
            JSON.stringify(last?.spans.map((s) => s.operationName) ?? [])
          }`,
      );
    },
    ownTrace: async (traceId) =>
      await fetchJson(`${queryUrl}/api/v1/traces/${traceId}`) as
        | Record<string, unknown>
        | undefined,
    kill() {
      stopped ??= (async () => {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await status;
        await pumps;
      })();
      return stopped;
    },
    stop() {
      stopped ??= (async () => {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
        await status;
        await pumps;
        if (options.dataDir === undefined) await Deno.remove(dataDir, { recursive: true });
      })();
      return stopped;
    },
  };
}

async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  describe: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await delay(50);
  }
  throw new Error(describe());
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
