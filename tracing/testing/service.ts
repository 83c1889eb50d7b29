/**
 * Runs the tracing service as a real process on free ports, for end-to-end tests, through the one
 * launcher of `lib/testing/service_process.ts`.
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
import { requestJson } from "../../lib/testing/http.ts";
import { startServiceProcess } from "../../lib/testing/service_process.ts";
import { waitFor } from "../../lib/testing/wait.ts";
import type { JaegerTrace } from "../query/jaeger_model.ts";

/** A running tracing process. */
export interface TracingProcess {
  otlpEndpoint: string;
  /** The process id, e.g. to read `/proc/<pid>/status`. */
  pid: number;
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
  const process = await startServiceProcess({
    service: "tracing",
    dataDir,
    env: { OTLP_PORT: "0", WRITE_FLUSH_MS: "20", OTEL_SDK_DISABLED: "true", ...options.env },
    listeners: ["otlp", "http"],
  }).catch(async (error) => {
    if (options.dataDir === undefined) await Deno.remove(dataDir, { recursive: true });
    throw error;
  });
  const queryUrl = process.url;
  const getJson = async (url: string): Promise<unknown> => {
    const response = await requestJson(url);
    return response.status === 200 ? response.body : undefined;
  };
  let stopped: Promise<void> | undefined;
  return {
    otlpEndpoint: `http://127.0.0.1:${process.ports.otlp}`,
    pid: process.pid,
    queryUrl,
    output: () => process.lines.join("\n"),
    async waitForTrace(traceId, { minSpans, timeoutMs = 10_000 }) {
      let last: JaegerTrace | undefined;
      return await waitFor(
        () =>
          `trace ${traceId} to have at least ${minSpans} spans; it has ${
            last?.spans.length ?? 0
          }: ${JSON.stringify(last?.spans.map((s) => s.operationName) ?? [])}`,
        async () => {
          const body = await getJson(`${queryUrl}/api/traces/${traceId}`) as
            | { data: JaegerTrace[] }
            | undefined;
          last = body?.data[0];
          return last !== undefined && last.spans.length >= minSpans ? last : undefined;
        },
        { timeoutMs, intervalMs: 50 },
      );
    },
    ownTrace: async (traceId) =>
      await getJson(`${queryUrl}/api/v1/traces/${traceId}`) as
        | Record<string, unknown>
        | undefined,
    kill() {
      stopped ??= process.stop("SIGKILL").then(() => {});
      return stopped;
    },
    stop() {
      stopped ??= (async () => {
        await process.stop();
        if (options.dataDir === undefined) await Deno.remove(dataDir, { recursive: true });
      })();
      return stopped;
    },
  };
}
