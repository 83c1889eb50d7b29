/** The one error type handlers throw, and the app-wide handler that turns errors into JSON. */
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DatabaseUnavailableError } from "../database_error.ts";
import type { Logger } from "../log.ts";

/** An error with an HTTP status and a stable machine-readable code. */
export class HttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  /** Extra response headers, e.g. `retry-after`. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
  }
}

/** The body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * Creates Hono's `onError` handler: `HttpError` becomes its status with
 * `{"error":{"code","message"}}`; `DatabaseUnavailableError` is 503 with `retry-after`; anything
 * else is logged and answered 500 (the tracing middleware records it on the span).
 */
export function createErrorHandler(
  logger: Logger,
): (error: Error, c: Context) => Response {
  return (error, c) => {
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json(errorBody(error.code, error.message), error.status);
    }
    if (error instanceof DatabaseUnavailableError) {
      // Not the client's fault and worth a retry; the tracing middleware marks the span ERROR.
      logger.warn("Database unavailable", { error: error.message, failure: error.failure });
      c.header("retry-after", "1");
      const code = error.failure === "timeout" ? "database_timeout" : "database_unavailable";
      return c.json(errorBody(code, error.message), 503);
    }
    if (error instanceof HTTPException && error.status < 500) {
      // Hono's own middleware (e.g. bodyLimit) throws these for client errors.
      return c.json(errorBody(codeForStatus(error.status), error.message), error.status);
    }
    // The tracing middleware records the exception and ERROR status from `c.error`, once.
    logUnhandled(logger, error, c);
    return c.json(errorBody("internal_error", "Internal server error"), 500);
  };
}

const logged = new WeakSet<Error>();

/** Logs an error answered 500 with its cause, once per error whoever handled it. */
function logUnhandled(logger: Logger, error: Error, c: Context): void {
  if (logged.has(error)) return;
  logged.add(error);
  logger.error("Unhandled error", { error, method: c.req.method, path: c.req.path });
}

/**
 * Logs the cause of every 5xx answered for an error that is not an `HttpError` or a database
 * outage, including those a mounted app's own `onError` answered (Jaeger's envelopes), which
 * the app-wide handler never sees.
 */
export function logServerErrors(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const error = c.error;
    if (error === undefined || c.res.status < 500) return;
    if (error instanceof HttpError || error instanceof DatabaseUnavailableError) return;
    logUnhandled(logger, error, c);
  };
}

/** Hono's `notFound` handler answering in the same JSON shape. */
export function notFoundHandler(c: Context): Response {
  return c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404);
}

/** Builds an error body. */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

function codeForStatus(status: number): string {
  if (status === 413) return "payload_too_large";
  if (status === 415) return "unsupported_media_type";
  if (status === 404) return "not_found";
  return "bad_request";
}
