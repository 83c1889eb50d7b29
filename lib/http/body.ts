/** Reading and validating JSON request bodies; every failure is an `HttpError` with a clear message. */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { HttpError } from "./errors.ts";
import { issueList, issueMessage } from "./issue_message.ts";

/** Rejects bodies over `maxBytes` with 413, whether or not a content-length was sent. */
export function limitBodySize(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HttpError(
        413,
        "payload_too_large",
        `Request body too large: the limit is ${maxBytes} bytes`,
      );
    },
  });
}

/**
 * Parses the body as JSON and validates it with `schema`.
 * 415 without `content-type: application/json` or with a compressed body (these bodies are small,
 * so no service inflates them: see bounded_body.ts for one that does), 400 for malformed JSON or
 * invalid fields.
 */
export async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new HttpError(
      415,
      "unsupported_media_type",
      `Unsupported content-type "${type}": expected application/json`,
    );
  }
  const coding = (c.req.header("content-encoding") ?? "").trim().toLowerCase();
  if (coding !== "" && coding !== "identity") {
    throw new HttpError(
      415,
      "unsupported_encoding",
      `Unsupported content-encoding "${coding}": send the JSON body uncompressed`,
    );
  }
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, "malformed_json", `Malformed JSON body: ${(error as Error).message}`);
  }
  return validate(schema, value, "body");
}

/** Validates query parameters with `schema`; 400 names each invalid parameter. */
export function readQuery<T extends z.ZodType>(c: Context, schema: T): z.output<T> {
  return validate(schema, c.req.query(), "query");
}

/** Validates `value` with `schema`, throwing a 400 `HttpError` that names every bad field. */
export function validate<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: "body" | "query" | "params",
): z.output<T> {
  const result = schema.safeParse(value, { error: issueMessage });
  if (result.success) return result.data;
  throw new HttpError(
    400,
    "invalid_request",
    `Invalid ${where}: ${issueList(result.error.issues)}`,
  );
}
