/**
 * A `fetch` that makes a CLIENT span, injects the trace context, records the status and errors,
 * and gives up after a timeout.
 *
 * In `deno` mode Deno's own `fetch` already makes the CLIENT span and injects the context (it
 * cannot be told not to), so this wrapper only adds the timeout there: one span, not two.
 */
import { redactUrl } from "../config/redact_url.ts";
import { recordSpanError } from "./span_error.ts";
import {
  type Attributes,
  type Context,
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { injectContext } from "./propagation.ts";
import type { TelemetryMode } from "./setup.ts";

/** `fetch` options plus a per-call timeout. */
export type TracedFetchInit = RequestInit & { timeoutMs?: number };

/** The traced fetch function. */
export type TracedFetch = (url: string | URL, init?: TracedFetchInit) => Promise<Response>;

/** Raised when a call took longer than its timeout. */
export class FetchTimeoutError extends Error {
  constructor(url: string, timeoutMs: number) {
    super(`Request to ${url} timed out after ${timeoutMs} ms`);
    this.name = "FetchTimeoutError";
  }
}

/** Creates a traced fetch with a default timeout. */
export function createTracedFetch(options: {
  tracer: Tracer;
  mode: TelemetryMode;
  timeoutMs: number;
  fetch?: typeof fetch;
}): TracedFetch {
  const baseFetch = options.fetch ?? fetch;
  return async (input, init = {}) => {
    const url = new URL(input);
    const timeoutMs = init.timeoutMs ?? options.timeoutMs;
    const signals = [AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])];
    const request = { ...init, signal: AbortSignal.any(signals) };
    const call = () =>
      baseFetch(url, request).catch((error: unknown) => {
        throw isTimeout(error) ? new FetchTimeoutError(redactUrl(url), timeoutMs) : error;
      });
    if (options.mode === "deno") return await call();

    // A CLIENT span even under a parent that records nothing: each request must carry its own
    // parent-id (W3C "parent-id": "the ID of this request as known by the caller"). Under such
    // a parent `Level2Tracer` makes it a non-recording span with a fresh id, which costs one id.
    const method = (init.method ?? "GET").toUpperCase();
    const span = options.tracer.startSpan(method, {
      kind: SpanKind.CLIENT,
      attributes: clientAttributes(method, url),
    });
    const active = trace.setSpan(context.active(), span);
    request.headers = withContext(init.headers, active);
    try {
      const response = await context.with(active, call);
      span.setAttribute("http.response.status_code", response.status);
      if (response.status >= 400) {
        span.setAttribute("error.type", String(response.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      return response;
    } catch (error) {
      throw recordSpanError(span, error);
    } finally {
      span.end();
    }
  };
}

/** `headers` plus the `traceparent`, `tracestate` and `baggage` of `from`. */
function withContext(headers: HeadersInit | undefined, from: Context): Headers {
  const result = new Headers(headers);
  const carrier: Record<string, string> = {};
  injectContext(carrier, from);
  for (const [name, value] of Object.entries(carrier)) result.set(name, value);
  return result;
}

function clientAttributes(method: string, url: URL): Attributes {
  const defaultPort = url.protocol === "https:" ? 443 : 80;
  return {
    "http.request.method": method,
    "url.full": redactForSpan(url),
    "server.address": url.hostname,
    "server.port": url.port === "" ? defaultPort : Number(url.port),
  };
}

/**
 * Semantic conventions ask for credentials in `url.full` to be replaced by `REDACTED`, the
 * user name too, and so for the values of signature-like query parameters.
 */
function redactForSpan(url: URL): string {
  return redactUrl(url, { mask: "REDACTED", username: true });
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === "TimeoutError";
}
