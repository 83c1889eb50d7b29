/**
 * Reads traces back from a real backend in the flat shape of `SinkSpan`, so end-to-end tests
 * assert on what it stored: the project's own tracing service (run as a process) or real Jaeger,
 * both through Jaeger's JSON model (`/api/traces/{id}`).
 */
import type { JaegerJsonTag, JaegerJsonTrace } from "../lib/testing/jaeger.ts";
import { type SinkSpan, SpanKindNumber } from "../lib/testing/otlp_sink.ts";

/** A backend that answers `/api/traces/{id}`: `TracingProcess` or `JaegerProcess`. */
export interface TraceSource {
  waitForTrace(
    traceId: string,
    options: { minSpans: number; timeoutMs?: number },
  ): Promise<JaegerJsonTrace>;
}

const KINDS: Record<string, number> = {
  internal: SpanKindNumber.INTERNAL,
  server: SpanKindNumber.SERVER,
  client: SpanKindNumber.CLIENT,
  producer: SpanKindNumber.PRODUCER,
  consumer: SpanKindNumber.CONSUMER,
};

/** Waits until the trace holds `minSpans` spans and returns them flattened. */
export async function readTrace(
  source: TraceSource,
  traceId: string,
  minSpans: number,
): Promise<SinkSpan[]> {
  return toSinkSpans(await source.waitForTrace(traceId, { minSpans, timeoutMs: 15_000 }));
}

/** A trace in Jaeger's JSON model, flattened. */
export function toSinkSpans(trace: JaegerJsonTrace): SinkSpan[] {
  return trace.spans.map((span) => {
    const tags = tagMap(span.tags);
    const process = trace.processes[span.processID];
    return {
      service: process?.serviceName ?? "",
      scope: String(tags["otel.scope.name"] ?? ""),
      traceId: span.traceID,
      spanId: span.spanID,
      parentSpanId: span.references.find((ref) => ref.refType === "CHILD_OF")?.spanID ?? "",
      name: span.operationName,
      kind: KINDS[String(tags["span.kind"] ?? "internal")] ?? SpanKindNumber.INTERNAL,
      statusCode: tags["error"] === true ? 2 : tags["otel.status_code"] === "OK" ? 1 : 0,
      attributes: tags,
      events: span.logs.map((log) => {
        const fields = tagMap(log.fields);
        return { name: String(fields["event"] ?? ""), attributes: fields };
      }),
      links: span.references.filter((ref) => ref.refType === "FOLLOWS_FROM")
        .map((ref) => ({ traceId: ref.traceID, spanId: ref.spanID })),
      resource: { "service.name": process?.serviceName, ...tagMap(process?.tags ?? []) },
    };
  });
}

function tagMap(tags: readonly JaegerJsonTag[]): Record<string, unknown> {
  return Object.fromEntries(tags.map((tag) => [tag.key, tag.value]));
}
