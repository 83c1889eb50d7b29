/**
 * Reading a request body, gzip or not, with limits that hold while it is read: the body as sent
 * and the body after gunzip may each be at most `maxBytes`, and every byte held counts against
 * the request's `ByteLease` on a budget shared by all requests in flight.
 *
 * Admission is decided before the first byte is read: a request reserves its `content-length`
 * (`maxBytes` when it has none) plus, for gzip, `maxBytes` for the inflated copy, and is refused
 * with 503 at once when that does not fit. A request admitted is never refused half-way for lack
 * of budget, so concurrent bodies cannot each take part of it and all fail; what it did not use
 * is given back once it is read.
 *
 * `DecompressionStream` inflates a whole input chunk before anything can be checked, and deflate
 * reaches ~1032:1, so one 64 KiB network chunk of a gzip bomb would become 64 MB at once. The
 * inflater is therefore fed slices of `INFLATE_SLICE_BYTES` and each output chunk is counted as
 * it comes: reading stops at most about two steps (~4 MB) past the limit.
 */
import type { ByteLease } from "./byte_budget.ts";
import { HttpError } from "./errors.ts";

/** Compressed bytes fed to the inflater per step: at most ~2.1 MB of output per step. */
export const INFLATE_SLICE_BYTES = 2048;

/** The content codings `readBoundedBody` understands. */
export type ContentCoding = "identity" | "gzip";

/** Limits and counters of one body read. */
export interface BoundedBodyOptions {
  /** The largest body, both as sent and after gunzip. */
  maxBytes: number;
  /** The request's share of the in-flight budget; the caller releases it when done. */
  lease: ByteLease;
  /** Called with the size of each chunk read from the connection. */
  onRead?: (bytes: number) => void;
  /** Called with the size of each chunk the inflater produced. */
  onInflated?: (bytes: number) => void;
}

/** A body as sent (`raw`) and after decoding its content coding (`bytes`). */
export interface BoundedBody {
  raw: Uint8Array<ArrayBuffer>;
  bytes: Uint8Array<ArrayBuffer>;
  coding: ContentCoding;
}

/**
 * The coding named by `content-encoding`: none or `identity`, `gzip` (or `x-gzip`); anything else
 * is a 415 `HttpError`.
 */
export function contentCodingOf(request: Request): ContentCoding {
  const value = (request.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (value === "" || value === "identity") return "identity";
  if (value === "gzip" || value === "x-gzip") return "gzip";
  throw new HttpError(
    415,
    "unsupported_encoding",
    `Unsupported content-encoding "${value}": expected gzip or none`,
  );
}

/**
 * Reads the body within `options.maxBytes` and the lease's budget: 413 as soon as either size
 * passes the limit, 503 with `retry-after` before reading when the shared budget cannot take the
 * reservation, 415 for an unknown coding, 400 for broken gzip. Throws only `HttpError`.
 */
export async function readBoundedBody(
  request: Request,
  options: BoundedBodyOptions,
): Promise<BoundedBody> {
  const coding = contentCodingOf(request);
  const length = request.headers.get("content-length");
  const declared = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
  if (declared !== undefined && declared > options.maxBytes) throw tooLarge(options.maxBytes);
  const raw = new Chunks();
  if (request.body === null) return { raw: raw.join(), bytes: raw.join(), coding };
  const { lease } = options;
  const reserved = (declared ?? options.maxBytes) + (coding === "gzip" ? options.maxBytes : 0);
  if (!lease.tryTake(reserved)) throw busy();
  let held = 0;
  const take = (chunk: Uint8Array, into: Chunks) => {
    if (into.size + chunk.byteLength > options.maxBytes) throw tooLarge(options.maxBytes);
    held += chunk.byteLength;
    // Only a body longer than it declared needs more than was reserved.
    if (held > lease.held && !lease.tryTake(held - lease.held)) throw busy();
    into.push(chunk);
  };
  const read = async function* (sliceBytes: number): AsyncGenerator<Uint8Array<ArrayBuffer>> {
    try {
      for await (const chunk of request.body!) {
        options.onRead?.(chunk.byteLength);
        take(chunk, raw);
        for (let at = 0; at < chunk.byteLength; at += sliceBytes) {
          yield chunk.subarray(at, at + sliceBytes);
        }
      }
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, "body_read_failed", `Reading the body failed: ${message(error)}`);
    }
  };
  if (coding === "identity") {
    for await (const _ of read(Infinity)) { /* `take` keeps each chunk */ }
    const bytes = raw.join();
    lease.shrinkTo(held);
    return { raw: bytes, bytes, coding };
  }
  const inflated = new Chunks();
  try {
    const stream = ReadableStream.from(read(INFLATE_SLICE_BYTES)).pipeThrough(
      new DecompressionStream("gzip"),
    );
    for await (const chunk of stream) {
      options.onInflated?.(chunk.byteLength);
      take(chunk, inflated);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, "bad_gzip", `Invalid gzip body: ${message(error)}`);
  }
  lease.shrinkTo(held);
  return { raw: raw.join(), bytes: inflated.join(), coding };
}

class Chunks {
  #chunks: Uint8Array[] = [];
  size = 0;

  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.size += chunk.byteLength;
  }

  join(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    this.#chunks = [out];
    return out;
  }
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    "payload_too_large",
    `Request body too large: the limit is ${maxBytes} bytes`,
  );
}

function busy(): HttpError {
  return new HttpError(
    503,
    "busy",
    "Too many request bodies are being read at once: retry later",
    { headers: { "retry-after": "1" } },
  );
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
