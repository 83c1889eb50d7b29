/** Reading an OTLP request body: size limit before and after gunzip, and the encoding. */
import { HttpError } from "../../lib/http/errors.ts";

/** The two OTLP/HTTP encodings. */
export type Encoding = "json" | "protobuf";

/** The encoding named by a content-type, or `undefined` for anything else. */
export function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  return undefined;
}

/** Reads the raw body (as sent) and the decoded bytes (after gunzip), each at most `maxBytes`. */
export async function readOtlpBody(
  request: Request,
  maxBytes: number,
): Promise<{ raw: Uint8Array<ArrayBuffer>; bytes: Uint8Array<ArrayBuffer> }> {
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > maxBytes) throw tooLarge(maxBytes);
  const raw = await readLimited(request.body, maxBytes);
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding === "identity" || encoding === "") return { raw, bytes: raw };
  if (encoding !== "gzip") {
    throw new HttpError(
      415,
      "unsupported_encoding",
      `Unsupported content-encoding "${encoding}": expected gzip or none`,
    );
  }
  try {
    const inflated = new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip"));
    return { raw, bytes: await readLimited(inflated, maxBytes) };
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, "bad_gzip", `Invalid gzip body: ${(error as Error).message}`);
  }
}

async function readLimited(
  stream: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  if (stream === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    "payload_too_large",
    `Request body too large: the limit is ${maxBytes} bytes`,
  );
}
