/**
 * Limits on the request line and headers, answered with the JSON error. Deno.serve (hyper)
 * refuses a request head over 64 KiB or with more than 128 header lines itself, with a
 * `400` and an empty body, before any handler runs, and has no option to change that; these
 * lower limits make every oversize head that reaches the app a `414` or `431` JSON error.
 */
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./errors.ts";

/** The longest URL (scheme, host, path and query) the app reads. */
export const MAX_URL_BYTES = 8 * 1024;

/** The most header bytes (names, values and separators) the app reads. */
export const MAX_HEADER_BYTES = 32 * 1024;

/** The most header fields the app reads. */
export const MAX_HEADER_COUNT = 100;

/** Rejects a URL over `MAX_URL_BYTES` with 414 and headers over the limits with 431. */
export function limitRequestHead(): MiddlewareHandler {
  return async (c, next) => {
    // A URL is ASCII once parsed (percent-encoded), so its length is its size in bytes.
    if (c.req.url.length > MAX_URL_BYTES) {
      throw new HttpError(
        414,
        "uri_too_long",
        `Request URL too long: ${c.req.url.length} bytes, the limit is ${MAX_URL_BYTES}`,
      );
    }
    let count = 0;
    let bytes = 0;
    for (const [name, value] of c.req.raw.headers) {
      count += 1;
      bytes += name.length + value.length + 4; // ": " and CRLF
    }
    if (count > MAX_HEADER_COUNT || bytes > MAX_HEADER_BYTES) {
      throw new HttpError(
        431,
        "request_header_fields_too_large",
        `Request headers too large: ${count} fields in ${bytes} bytes, the limit is ` +
          `${MAX_HEADER_COUNT} fields in ${MAX_HEADER_BYTES} bytes`,
      );
    }
    await next();
  };
}
