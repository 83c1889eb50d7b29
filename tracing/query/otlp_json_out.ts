/** Stored spans back in OTLP JSON (`TracesData`), as the Jaeger v3 API returns them. */
import type { SpanRecord } from "../span_model.ts";

/** OTLP JSON `resourceSpans`, grouped by resource and scope. */
export function toResourceSpans(spans: readonly SpanRecord[]): unknown[] {
  const resources = new Map<
    string,
    { resource: SpanRecord["resource"]; scopes: Map<string, SpanRecord[]> }
  >();
  for (const span of spans) {
    const resourceKey = JSON.stringify(span.resource);
    let entry = resources.get(resourceKey);
    if (entry === undefined) {
      entry = { resource: span.resource, scopes: new Map() };
      resources.set(resourceKey, entry);
    }
    const scopeKey = JSON.stringify(span.scope);
    entry.scopes.set(scopeKey, [...(entry.scopes.get(scopeKey) ?? []), span]);
  }
  return [...resources.values()].map(({ resource, scopes }) => ({
    resource: { attributes: resource },
    scopeSpans: [...scopes.values()].map((group) => ({
      scope: { name: group[0]!.scope.name, version: group[0]!.scope.version },
      spans: group.map(toOtlpSpan),
    })),
  }));
}

function toOtlpSpan(span: SpanRecord): Record<string, unknown> {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId === "" ? {} : { parentSpanId: span.parentSpanId }),
    ...(span.traceState === "" ? {} : { traceState: span.traceState }),
    flags: span.flags,
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    attributes: span.attributes,
    ...(span.droppedAttributesCount === undefined
      ? {}
      : { droppedAttributesCount: span.droppedAttributesCount }),
    events: span.events,
    ...(span.droppedEventsCount === undefined
      ? {}
      : { droppedEventsCount: span.droppedEventsCount }),
    links: span.links,
    ...(span.droppedLinksCount === undefined ? {} : { droppedLinksCount: span.droppedLinksCount }),
    status: span.status.message === ""
      ? { code: span.status.code }
      : { code: span.status.code, message: span.status.message },
  };
}
