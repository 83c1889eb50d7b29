/** JSON over real HTTP for process tests: one request helper that also reads `traceresponse`. */

/** What `requestJson` returns. */
export interface JsonResponse {
  status: number;
  headers: Headers;
  /** The parsed body; `{}` for an empty one. */
  // deno-lint-ignore no-explicit-any
  body: any;
  /** Trace and span id from the `traceresponse` header, when the service sent one. */
  traceId?: string;
  spanId?: string;
}

/** Options of `requestJson`. */
export interface JsonRequest {
  /** Default: POST with a body, GET without. */
  method?: string;
  /** Sent as JSON with `content-type: application/json`; a string is sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sends a request and reads the answer as JSON, with the ids of W3C `traceresponse`. */
export async function requestJson(url: string, init: JsonRequest = {}): Promise<JsonResponse> {
  const hasBody = init.body !== undefined;
  const response = await fetch(url, {
    method: init.method ?? (hasBody ? "POST" : "GET"),
    headers: { ...(hasBody ? { "content-type": "application/json" } : {}), ...init.headers },
    body: !hasBody
      ? undefined
      : typeof init.body === "string"
      ? init.body
      : JSON.stringify(init.body),
  });
  const text = await response.text();
  const [, traceId, spanId] = response.headers.get("traceresponse")?.split("-") ?? [];
  let body: unknown;
  try {
    body = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new Error(`${url} answered ${response.status} with a body that is not JSON: ${text}`);
  }
  return {
    status: response.status,
    headers: response.headers,
    body,
    ...(traceId === undefined ? {} : { traceId }),
    ...(spanId === undefined ? {} : { spanId }),
  };
}

/** A `RequestInit` with a JSON body for `app.request(path, init)`; a string is sent as is. */
export function jsonInit(method: string, body: unknown): RequestInit {
  return {
    method,
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

/**
 * Whether an answer is the 503 a stopping service gives requests that arrive while it drains
 * (lib/http/drain_gate.ts): for a load test, a refusal like a closed port, not an answer.
 */
export function isShuttingDown(answer: { status: number; body: unknown }): boolean {
  const body = answer.body as { error?: { code?: unknown } } | null;
  return answer.status === 503 && body?.error?.code === "shutting_down";
}
