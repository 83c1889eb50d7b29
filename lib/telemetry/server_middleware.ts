/**
 * Hono middleware that makes one SERVER span per request, following the OpenTelemetry HTTP
 * semantic conventions, and answers a recorded request with a W3C `traceresponse` header.
 *
 * In `deno` mode `Deno.serve` has already started the SERVER span and made it active, so the
 * middleware enriches that span instead of starting a second one.
 */
import {
  type Attributes,
  context,
  INVALID_SPANID,
  INVALID_TRACEID,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { BYTE_HEX } from "../hex.ts";
import { extractFromHeaders } from "./propagation.ts";
import type { TelemetryMode } from "./setup.ts";

const KNOWN_METHODS = new Set([
  "CONNECT",
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "PATCH",
  "POST",
  "PUT",
  "TRACE",
]);

/** The span options of every SERVER span, made once. */
const SERVER_SPAN: SpanOptions = Object.freeze({ kind: SpanKind.SERVER });

/**
 * Creates the tracing middleware; register it first so it sees the final response.
 * Requests to `untracedPaths` (probes, scrapes) get no span: they would flood the traces.
 *
 * A span that does not record costs only what propagation needs (its context, for the calls the
 * handler makes); a recording one gets all its attributes at the end, in one object and one call.
 */
export function httpServerTracing(
  options: { tracer: Tracer; mode: TelemetryMode; untracedPaths?: readonly string[] },
): MiddlewareHandler {
  const { tracer, mode } = options;
  const untraced = new Set(options.untracedPaths ?? []);
  return async (c, next) => {
    if (untraced.has(c.req.path)) return await next();
    const builtin = mode === "deno" ? trace.getActiveSpan() : undefined;
    const parent = builtin === undefined
      ? extractFromHeaders(c.req.raw.headers, ROOT_CONTEXT)
      : context.active();
    const method = normalizeMethod(c.req.method);
    const span = builtin ?? tracer.startSpan(spanName(method), SERVER_SPAN, parent);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      if (span.isRecording()) finish(c, span, method);
      if (builtin === undefined) span.end();
    }
  };
}

/** The route template that handled the request, e.g. `/users/:username`. */
export function routeTemplate(c: Context): string | undefined {
  const route = matchedRoutes(c).findLast((candidate) => candidate.method !== "ALL");
  return route?.path;
}

function finish(c: Context, span: Span, method: string): void {
  setTraceResponse(c, span);
  const status = c.res.status;
  const route = routeTemplate(c);
  const attributes = requestAttributes(c, method);
  attributes["http.response.status_code"] = status;
  if (route !== undefined) attributes["http.route"] = route;
  span.updateName(route === undefined ? spanName(method) : `${spanName(method)} ${route}`);
  // For a SERVER span only 5xx is an error; a 4xx is the client's mistake (semantic conventions).
  if (status >= 500) {
    if (c.error !== undefined) span.recordException(c.error);
    attributes["error.type"] = c.error?.name ?? String(status);
    span.setStatus({ code: SpanStatusCode.ERROR, message: c.error?.message });
  }
  span.setAttributes(attributes);
}

/** Semantic conventions: an unknown method (`_OTHER`) is named `HTTP` in the span name. */
function spanName(method: string): string {
  return method === "_OTHER" ? "HTTP" : method;
}

/**
 * W3C Trace Context Level 2: tells the caller which trace and span answered it, for a span that
 * records, so the trace can be looked up. An unrecorded request gets no header: it names nothing
 * to find, and adding a header to a finished response costs Deno's fast response path about 2 µs,
 * which showed as the largest part of what an unsampled request costs over an untraced one.
 */
function setTraceResponse(c: Context, span: Span): void {
  const { traceId, spanId, traceFlags } = span.spanContext();
  // The ids come from the SDK's generator, or Deno's: the all-zero "invalid" ids are the only
  // ones to rule out (no per-request regex).
  if (traceId === INVALID_TRACEID || spanId === INVALID_SPANID) return;
  try {
    c.res.headers.set("traceresponse", `00-${traceId}-${spanId}-${BYTE_HEX[traceFlags & 0xff]}`);
  } catch {
    // Immutable headers (`Response.redirect()`, a proxied fetch response): answer without it.
  }
}

/**
 * The request's attributes, read from the URL text Hono already has: the parts are sliced out
 * rather than parsed by `new URL()`, which showed in profiles of the recording path.
 */
function requestAttributes(c: Context, method: string): Attributes {
  const url = c.req.url;
  const schemeEnd = url.indexOf(":");
  const authorityStart = schemeEnd + 3;
  let pathStart = url.indexOf("/", authorityStart);
  if (pathStart < 0) pathStart = url.length;
  const queryStart = url.indexOf("?", pathStart);
  const scheme = url.slice(0, schemeEnd);
  // `host`, `host:port`, `[v6]` or `[v6]:port`: a colon after any `]` starts the port.
  const colon = url.lastIndexOf(":", pathStart - 1);
  const hasColon = colon >= authorityStart && url.lastIndexOf("]", pathStart) < colon;
  const portText = hasColon ? url.slice(colon + 1, pathStart) : "";
  const attributes: Attributes = {
    "http.request.method": method,
    "url.path": queryStart < 0 ? url.slice(pathStart) : url.slice(pathStart, queryStart),
    "url.scheme": scheme,
    "server.address": url.slice(authorityStart, hasColon ? colon : pathStart),
    "server.port": portText !== "" ? Number(portText) : scheme === "https" ? 443 : 80,
  };
  if (method === "_OTHER") attributes["http.request.method_original"] = c.req.method;
  if (queryStart >= 0 && queryStart < url.length - 1) {
    attributes["url.query"] = url.slice(queryStart + 1);
  }
  const userAgent = c.req.raw.headers.get("user-agent");
  if (userAgent !== null) attributes["user_agent.original"] = userAgent;
  const clientAddress = remoteAddress(c);
  if (clientAddress !== undefined) attributes["client.address"] = clientAddress;
  return attributes;
}

function normalizeMethod(method: string): string {
  if (KNOWN_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : "_OTHER";
}

/** `Deno.serve` passes its connection info as Hono's env; `app.request()` passes none. */
function remoteAddress(c: Context): string | undefined {
  const env = c.env as { remoteAddr?: { hostname?: unknown } } | undefined;
  const hostname = env?.remoteAddr?.hostname;
  return typeof hostname === "string" ? hostname : undefined;
}
