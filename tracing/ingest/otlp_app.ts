/**
 * The OTLP/HTTP receiver: POST /v1/traces, /v1/logs and /v1/metrics, in JSON or protobuf, gzip or
 * not. Answers follow the OTLP/HTTP spec: 200 with the export response (partial success when
 * some items were rejected), 400 bad payload, 401 bad token, 413 oversize, 415 wrong type or
 * encoding, 503 with Retry-After when the queues are full. Error bodies are a `google.rpc.Status`
 * in the request's encoding (JSON when it had none). The receiver is deliberately not traced:
 * each ingest would otherwise create spans to ingest.
 */
import { type Context, Hono } from "hono";
import { readBoundedBody } from "../../lib/http/bounded_body.ts";
import type { ByteBudget } from "../../lib/http/byte_budget.ts";
import { HttpError } from "../../lib/http/errors.ts";
import { tokenAuth } from "../../lib/http/token_auth.ts";
import type { Logger } from "../../lib/log.ts";
import { type Encoding, encodingOf } from "./otlp_body.ts";
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
import { decodeTraceSpans } from "./otlp_proto_spans.ts";
import { decodeLogRecords } from "./otlp_proto_logs.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import type { LogRecord, SpanRecord } from "../span_model.ts";
import { keepPlausibleSpans } from "../span_times.ts";
import type { WalRecord } from "./wal.ts";
import type { IngestLimits, LimitTally } from "./limits.ts";
import { pruneOtlpJson } from "./json_prune.ts";
import type { TracingMetrics } from "../metrics.ts";

/** What the ingest app needs. */
export interface IngestDeps {
  pipeline: Pipeline;
  logger: Logger;
  /** The largest body, compressed or not. */
  maxBodyBytes: number;
  /** Bytes being read and inflated, shared by all requests in flight; beyond it 503. */
  budget: ByteBudget;
  /** When set, requests need `authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Where accepted payloads are logged before the answer; without it a crash loses the queue. */
  wal?: WalSink;
}

/** The part of the write-ahead log ingest uses. */
export interface WalSink {
  append(record: WalRecord, items: readonly object[]): void;
}

const GRPC_CODES: Record<number, number> = { 400: 3, 401: 16, 413: 3, 415: 3, 503: 14 };

/** Creates the OTLP receiver app; opens nothing. */
export function createIngestApp(deps: IngestDeps): Hono {
  const app = new Hono();
  app.onError((error, c) => otlpError(c, error, deps.logger));
  app.notFound((c) => otlpError(c, new HttpError(404, "not_found", `No route for ${c.req.path}`)));
  app.use(tokenAuth({ writeToken: deps.token, realm: "tracing" }));
  for (const signal of ["traces", "logs", "metrics"] as const) {
    app.post(`/v1/${signal}`, (c) => ingest(c, signal, deps));
  }
  return app;
}

async function ingest(c: Context, signal: Signal, deps: IngestDeps): Promise<Response> {
  const started = performance.now();
  const { pipeline } = deps;
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
  const lease = deps.budget.lease();
  let read = 0;
  let inflated = 0;
  try {
    let body;
    try {
      body = await readBoundedBody(c.req.raw, {
        maxBytes: deps.maxBodyBytes,
        lease,
        onRead: (bytes) => void (read += bytes),
        onInflated: (bytes) => void (inflated += bytes),
      });
    } catch (error) {
      const reason = error instanceof HttpError ? error.code : "read_error";
      pipeline.metrics.rejected.inc({ signal, reason });
      throw error;
    }
    const outcome = acceptPayload({ signal, encoding, payload: body.bytes }, pipeline, deps.wal);
    if (outcome === "overloaded") {
      pipeline.metrics.rejected.inc({ signal, reason: "overloaded" });
      throw new HttpError(503, "overloaded", "The trace store is busy: retry later", {
        headers: { "retry-after": "1" },
      });
    }
    const headers: Record<string, string> = { "content-type": contentType ?? "application/json" };
    if (body.coding !== "identity") headers["content-encoding"] = body.coding;
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
  } finally {
    lease.release();
    pipeline.metrics.bodyBytesRead.inc(read);
    pipeline.metrics.bodyBytesInflated.inc(inflated);
  }
}

/**
 * Decodes one OTLP payload and hands what is valid to the pipeline, logging it in `wal` first so
 * that nothing answered 200 depends on memory alone. Also used to replay the log at start.
 * Throws `PayloadError` for an undecodable payload; "overloaded" when the queues are full.
 */
export function acceptPayload(
  record: { signal: Signal; encoding: Encoding; payload: Uint8Array },
  pipeline: Pipeline,
  wal?: WalSink,
): Normalized<unknown> | "overloaded" {
  const { signal, encoding } = record;
  const { metrics } = pipeline;
  let result: Normalized<SpanRecord | LogRecord>;
  const { limits } = pipeline;
  if (signal === "traces" && encoding === "protobuf") {
    // The hot path: protobuf traces go straight to spans, without protobufjs's message graph.
    result = decodeTraceSpans(record.payload, limits);
  } else if (signal === "logs" && encoding === "protobuf") {
    // Straight to records too, so a flood of attributes is skipped unread.
    result = decodeLogRecords(record.payload, limits);
  } else {
    const request = decode(record, limits);
    const ids = encoding === "json" ? "hex" : "bytes";
    if (signal === "metrics") {
      const points = countMetricPoints(request);
      metrics.spansReceived.inc({ signal }, points);
      // Metrics are accepted and counted but not stored: this service is a trace backend.
      return { items: [], rejected: 0, firstError: undefined };
    }
    result = signal === "traces"
      ? normalizeTraces(request, ids, limits)
      : normalizeLogs(request, ids, limits);
  }
  if (result.tally !== undefined) countLimited(metrics, result.tally);
  metrics.spansReceived.inc({ signal }, result.items.length + result.rejected);
  if (result.rejected > 0) metrics.rejected.inc({ signal, reason: "invalid" }, result.rejected);
  if (signal === "traces") result = withPlausibleTimes(result as Normalized<SpanRecord>, metrics);
  const items = result.items as readonly object[];
  if (!pipeline.hasRoom(items.length)) return "overloaded";
  // Logged before the pipeline sees the items: a full batch may be written (and settled) at once.
  if (wal !== undefined && items.length > 0) {
    try {
      wal.append({ signal, encoding, payload: record.payload }, items);
    } catch (error) {
      throw new HttpError(
        503,
        "wal_unavailable",
        `The write-ahead log cannot be written: retry later (${(error as Error).message})`,
        { cause: error, headers: { "retry-after": "5" } },
      );
    }
  }
  if (signal === "traces") {
    const spans = (result as ReturnType<typeof normalizeTraces>).items;
    pipeline.acceptSpans(spans);
    metrics.tracesReceived.inc(new Set(spans.map((s) => s.traceId)).size);
  } else {
    pipeline.acceptLogs((result as ReturnType<typeof normalizeLogs>).items);
  }
  return result;
}

/** Drops the spans whose times break the rule of span_times.ts, counted as `reason="time"`. */
function withPlausibleTimes(
  result: Normalized<SpanRecord>,
  metrics: TracingMetrics,
): Normalized<SpanRecord> {
  const timed = keepPlausibleSpans(result.items, Date.now());
  if (timed.rejected === 0) return result;
  metrics.rejected.inc({ signal: "traces", reason: "time" }, timed.rejected);
  return {
    ...result,
    items: timed.kept,
    rejected: result.rejected + timed.rejected,
    firstError: result.firstError ?? timed.firstError,
  };
}

/** Adds what the limits cut to `/metrics`. */
export function countLimited(metrics: TracingMetrics, tally: LimitTally): void {
  const { attributes, events, links, entries, tooDeep, truncated } = tally;
  if (attributes > 0) metrics.limited.inc({ what: "attributes" }, attributes);
  if (events > 0) metrics.limited.inc({ what: "events" }, events);
  if (links > 0) metrics.limited.inc({ what: "links" }, links);
  if (entries > 0) metrics.limited.inc({ what: "entries" }, entries);
  if (tooDeep > 0) metrics.limited.inc({ what: "too_deep" }, tooDeep);
  if (truncated > 0) metrics.limited.inc({ what: "truncated" }, truncated);
}

/**
 * JSON bodies up to this many characters are parsed whole: at most about 350,000 objects, some
 * 0.3 s of `JSON.parse` here, while the scan would add about 40% to an SDK's batch of 512 spans
 * (320 KB).
 */
const JSON_PRUNE_MIN_CHARS = 1024 * 1024;

function decode(
  record: { signal: Signal; encoding: Encoding; payload: Uint8Array },
  limits: IngestLimits,
): unknown {
  const { signal, encoding, payload } = record;
  if (encoding === "protobuf") return decodeRequest(signal, payload);
  const text = new TextDecoder().decode(payload);
  // Large bodies of spans and log records are cut to the limits before JSON.parse builds them
  // (metrics are only counted); smaller ones parse whole sooner than they are scanned.
  const prune = signal !== "metrics" && text.length > JSON_PRUNE_MIN_CHARS;
  try {
    return JSON.parse(prune ? pruneOtlpJson(text, limits) : text);
  } catch (error) {
    throw new PayloadError(`Malformed JSON body: ${(error as Error).message}`);
  }
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
