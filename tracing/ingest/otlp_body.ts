/**
 * The encoding of an OTLP request body. Its size limits and gunzip live in
 * lib/http/bounded_body.ts, shared by every service.
 */

/** The two OTLP/HTTP encodings. */
export type Encoding = "json" | "protobuf";

/** The encoding named by a content-type, or `undefined` for anything else. */
export function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  return undefined;
}
