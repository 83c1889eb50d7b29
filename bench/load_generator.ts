/**
 * The load generator process: runs autocannon against one loopback URL with a fixed number of
 * connections for a bounded time (or request count), records every 2xx latency at sub-millisecond
 * precision, and prints one JSON `LoadResult` line. Run by `bench/load.ts`, pinned to its own core,
 * so the generator never shares the event loop or the core of the server it measures.
 *
 * Usage: `deno run --allow-net=127.0.0.1 ... bench/load_generator.ts`, then one `LoadSpec` JSON
 * line on stdin per run; one `LoadResult` JSON line (or `{"error"}`) comes back on stdout for each.
 * The process stays up between runs, so a run does not pay for its start; it ends with stdin.
 */
import autocannon from "autocannon";
import { Buffer } from "node:buffer";
import { createOtlpBatches, type OtlpEncoding } from "./otlp_payload.ts";
import { percentile } from "./stats.ts";
import { textLines } from "../lib/text_lines.ts";

/** What to send. */
export interface LoadSpec {
  /** Base URL on 127.0.0.1. */
  url: string;
  method?: "GET" | "POST";
  /** Paths, used in turn; default `/`. */
  paths?: string[];
  /** A JSON body sent with every request. */
  json?: unknown;
  /** OTLP trace batches with unique trace ids for every request, instead of `json`. */
  otlp?: { encoding: OtlpEncoding; spansPerBatch: number; tracePrefix: string };
  connections: number;
  /** Seconds to run; the run stops by itself. */
  durationSeconds: number;
  /** Stop after this many requests instead (still bounded by `durationSeconds`). */
  amount?: number;
  timeoutSeconds?: number;
}

/** What one run measured. */
export interface LoadResult {
  /** Epoch ms of the first request and of the end of the run. */
  startedAtMs: number;
  finishedAtMs: number;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 2xx responses per second. */
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs the load described by `spec`. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(spec.url)) {
    throw new Error(`Invalid url "${spec.url}": expected a loopback base URL`);
  }
  const paths = spec.paths ?? ["/"];
  const otlp = spec.otlp === undefined
    ? undefined
    : createOtlpBatches(spec.otlp.encoding, spec.otlp.spansPerBatch, spec.otlp.tracePrefix);
  const headers: Record<string, string> = {};
  if (spec.json !== undefined) headers["content-type"] = "application/json";
  if (otlp !== undefined) headers["content-type"] = otlp.contentType;
  const body = spec.json === undefined ? undefined : JSON.stringify(spec.json);
  let next = 0;
  const latencies: number[] = [];
  const startedAtMs = Date.now();
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSeconds,
    amount: spec.amount,
    timeout: spec.timeoutSeconds ?? 10,
    requests: [{
      method: spec.method ?? "GET",
      headers,
      setupRequest: (request: Record<string, unknown>) => {
        const index = next++;
        request.path = paths[index % paths.length];
        if (otlp !== undefined) request.body = Buffer.from(otlp.batch(index));
        else if (body !== undefined) request.body = body;
        return request;
      },
    }],
  });
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await instance;
  const finishedAtMs = Date.now();
  const ok = latencies.length;
  const seconds = (finishedAtMs - startedAtMs) / 1000;
  return {
    startedAtMs,
    finishedAtMs,
    requests: ok + result.non2xx,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    okPerSecond: ok / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

if (import.meta.main) {
  const encoder = new TextEncoder();
  for await (const line of textLines(Deno.stdin.readable)) {
    if (line === "") continue;
    const answer = await runLoad(JSON.parse(line) as LoadSpec).catch((error) => ({
      error: String(error),
    }));
    await Deno.stdout.write(encoder.encode(`${JSON.stringify(answer)}\n`));
  }
}
