/** Marking a span as failed, the same way everywhere. */
import { type Span, SpanStatusCode } from "@opentelemetry/api";

/**
 * Records `error` on `span`: an exception event, `error.type` (the error's name unless `type`
 * is given) and ERROR status. Returns the error as an `Error`, for rethrowing.
 */
export function recordSpanError(span: Span, error: unknown, type?: string): Error {
  const failure = error instanceof Error ? error : new Error(String(error));
  span.recordException(failure);
  span.setAttribute("error.type", type ?? failure.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
  return failure;
}
