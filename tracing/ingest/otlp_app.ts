/**
 * The OTLP/HTTP receiver: POST /v1/traces, /v1/logs and /v1/metrics, in JSON or protobuf, gzip or
 * not. Answers follow the OTLP/HTTP spec: 200 with the export response (partial success when
 * some items were rejected), 400 bad payload, 401 bad token, 413 oversize, 415 wrong type or
 * encoding, 503 with Retry-After when the queues are full. Error bodies are a `google.rpc.Status`
 * in the request's encoding (JSON when it had none). The receiver is deliberately not traced:
 * each ingest would otherwise create spans to ingest.
 */
import { type Context, Hono } from "hono";
import { HttpError } from "../../lib/http/errors.ts";
import type { Logger } from "../../lib/log.ts";
import { type Encoding, encodingOf, readOtlpBody } from "./otlp_body.ts";
import {
  countMetricPoints,
  type Normalized,
  normalizeLogs,
  normalizeTraces,
  PayloadError,
} from "./otlp_normalize.ts";
import {
  decodeRequest,
  encodeResponse,
  encodeStatus,
  responseJson,
  type Signal,
} from "./otlp_proto.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";

/** What the ingest app needs. */
export interface IngestDeps {
  pipeline: Pipeline;
  logger: Logger;
  /** The largest body, compressed or not. */
  maxBodyBytes: number;
  /** When set, requests need `authorization: Bearer <token>`. */
  token?: string;
}

const GRPC_CODES: Record<number, number> = { 400: 3, 401: 16, 413: 3, 415: 3, 503: 14 };

/** Creates the OTLP receiver app; opens nothing. */
export function createIngestApp(deps: IngestDeps): Hono {
  const app = new Hono();
  app.onError((error, c) => otlpError(c, error, deps.logger));
  app.notFound((c) => otlpError(c, new HttpError(404, "not_found", `No route for ${c.req.path}`)));
  for (const signal of ["traces", "logs", "metrics"] as const) {
    app.post(`/v1/${signal}`, (c) => ingest(c, signal, deps));
  }
  return app;
}

async function ingest(c: Context, signal: Signal, deps: IngestDeps): Promise<Response> {
  const started = performance.now();
  const { pipeline } = deps;
  if (deps.token !== undefined && c.req.header("authorization") !== `Bearer ${deps.token}`) {
    throw new HttpError(401, "unauthorized", "Missing or wrong bearer token");
  }
  const contentType = c.req.header("content-type");
  const encoding = encodingOf(contentType);
  if (encoding === undefined) {
    pipeline.metrics.rejected.inc({ signal, reason: "content_type" });
    throw new HttpError(
      415,
      "unsupported_media_type",
      `Unsupported content-type "${
        contentType ?? ""
      }": expected application/json or application/x-protobuf`,
    );
  }
  let body;
  try {
    body = await readOtlpBody(c.req.raw, deps.maxBodyBytes);
  } catch (error) {
    const reason = error instanceof HttpError ? error.code : "read_error";
    pipeline.metrics.rejected.inc({ signal, reason });
    throw error;
  }
  const request = decode(signal, encoding, body.bytes);
  const outcome = accept(signal, encoding, request, pipeline);
  if (outcome === "overloaded") {
    pipeline.metrics.rejected.inc({ signal, reason: "overloaded" });
    throw new HttpError(503, "overloaded", "The trace store is busy: retry later", {
      headers: { "retry-after": "1" },
    });
  }
  const headers: Record<string, string> = { "content-type": contentType ?? "application/json" };
  const contentEncoding = c.req.header("content-encoding");
  if (contentEncoding !== undefined) headers["content-encoding"] = contentEncoding;
  pipeline.forward({ path: `/v1/${signal}`, body: body.raw, headers });
  pipeline.metrics.ingestDuration.observe(
    { signal, encoding },
    (performance.now() - started) / 1000,
  );
  const partial = outcome.rejected > 0
    ? { rejected: outcome.rejected, message: outcome.firstError ?? "Rejected" }
    : undefined;
  if (encoding === "json") return c.json(responseJson(signal, partial));
  return c.body(encodeResponse(signal, partial) as Uint8Array<ArrayBuffer>, 200, {
    "content-type": "application/x-protobuf",
  });
}

function decode(signal: Signal, encoding: Encoding, bytes: Uint8Array): unknown {
  if (encoding === "protobuf") return decodeRequest(signal, bytes);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new PayloadError(`Malformed JSON body: ${(error as Error).message}`);
  }
}

function accept(
  signal: Signal,
  encoding: Encoding,
  request: unknown,
  pipeline: Pipeline,
): Normalized<unknown> | "overloaded" {
  const ids = encoding === "json" ? "hex" : "bytes";
  const { metrics } = pipeline;
  if (signal === "metrics") {
    const points = countMetricPoints(request);
    metrics.spansReceived.inc({ signal }, points);
    // Metrics are accepted and counted but not stored: this service is a trace backend.
    return { items: [], rejected: 0, firstError: undefined };
  }
  const result = signal === "traces" ? normalizeTraces(request, ids) : normalizeLogs(request, ids);
  metrics.spansReceived.inc({ signal }, result.items.length + result.rejected);
  if (result.rejected > 0) metrics.rejected.inc({ signal, reason: "invalid" }, result.rejected);
  if (signal === "traces") {
    const spans = (result as ReturnType<typeof normalizeTraces>).items;
    if (!pipeline.acceptSpans(spans)) return "overloaded";
    metrics.tracesReceived.inc(new Set(spans.map((s) => s.traceId)).size);
  } else if (!pipeline.acceptLogs((result as ReturnType<typeof normalizeLogs>).items)) {
    return "overloaded";
  }
  return result;
}

function otlpError(c: Context, error: Error, logger?: Logger): Response {
  let status: number;
  let message: string;
  const headers: Record<string, string> = {};
  if (error instanceof HttpError) {
    status = error.status;
    message = error.message;
    Object.assign(headers, error.headers);
  } else if (error instanceof PayloadError) {
    status = 400;
    message = error.message;
  } else {
    status = 500;
    message = "Internal server error";
    logger?.error("Unhandled ingest error", { error, path: c.req.path });
  }
  const code = GRPC_CODES[status] ?? (status === 404 ? 12 : 13);
  if (encodingOf(c.req.header("content-type")) === "protobuf") {
    headers["content-type"] = "application/x-protobuf";
    return new Response(encodeStatus(code, message) as Uint8Array<ArrayBuffer>, {
      status,
      headers,
    });
  }
  headers["content-type"] = "application/json";
  return new Response(JSON.stringify({ code, message }), { status, headers });
}
