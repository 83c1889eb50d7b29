/**
 * The envelope of jaeger-query's `/api/...` (v1) endpoints: `{data,total,limit,offset,errors}`,
 * errors as `{"data":null,...,"errors":[{"code","msg"}]}`, which Jaeger UI shows by `msg`.
 */
import type { Context } from "hono";
import { HttpError } from "../../lib/http/errors.ts";

/** A failure for one item that does not fail the request, such as a trace id not found. */
export interface JaegerItemError {
  msg: string;
  traceID?: string;
}

/**
 * Answers `data` in Jaeger's envelope. jaeger-query counts `total` only for its listings
 * (services, operations: `counted`); traces and dependencies have 0.
 */
export function jaegerEnvelope(
  c: Context,
  data: unknown,
  options: { counted?: boolean; errors?: JaegerItemError[] } = {},
): Response {
  const total = options.counted && Array.isArray(data) ? data.length : 0;
  const errors = options.errors?.length ? options.errors : null;
  return c.json({ data, total, limit: 0, offset: 0, errors });
}

/** An `onError` handler that answers in Jaeger's envelope. */
export function jaegerErrorHandler(error: Error, c: Context): Response {
  const status = error instanceof HttpError ? error.status : 500;
  const msg = error instanceof HttpError ? error.message : "Internal server error";
  return c.json(
    { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg }] },
    status,
  );
}
