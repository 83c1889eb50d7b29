/**
 * Jaeger's query answers normalised for comparison with the tracing service's: what Jaeger leaves
 * arbitrary (process keys like `p1`, the order of services, operations, traces, spans, tags, and
 * of OTLP resources and scopes) is made canonical; everything else is kept as answered.
 */
// deno-lint-ignore no-explicit-any
type Json = any;

function byJson(a: unknown, b: unknown): number {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A list in a canonical order. */
export function sorted<T>(items: readonly T[] | null | undefined): T[] {
  return [...items ?? []].sort(byJson);
}

/** The v1 envelope with `data` sorted: its order is not defined by Jaeger. */
export function v1List(body: Json): Json {
  return { ...body, data: sorted(body.data) };
}

/**
 * A v1 trace (`/api/traces/{id}`): spans by id, each span's process inlined in place of its key.
 * Tags, logs and references stay in the order answered: Jaeger's adjusters define it.
 */
export function v1Trace(trace: Json): Json {
  const spans = [...trace.spans].sort((a: Json, b: Json) => a.spanID < b.spanID ? -1 : 1);
  return {
    ...trace,
    processes: undefined,
    spans: spans.map((span: Json) => ({
      ...span,
      processID: undefined,
      process: trace.processes[span.processID],
    })),
  };
}

/**
 * OTLP/JSON resource spans (v3) as one list of spans by id, each with its resource and scope:
 * how Jaeger groups spans into resources and scopes is its storage's business.
 */
export function otlpSpans(resourceSpans: readonly Json[] | undefined): Json[] {
  const spans = (resourceSpans ?? []).flatMap((resourceSpan: Json) =>
    (resourceSpan.scopeSpans ?? []).flatMap((scopeSpan: Json) =>
      (scopeSpan.spans ?? []).map((span: Json) => ({
        resource: resourceSpan.resource,
        resourceSchemaUrl: resourceSpan.schemaUrl,
        scope: scopeSpan.scope,
        scopeSchemaUrl: scopeSpan.schemaUrl,
        span,
      }))
    )
  );
  return spans.sort((a, b) => a.span.spanId < b.span.spanId ? -1 : 1);
}

/** The trace ids of a v1 search (`/api/traces?...`), sorted. */
export function v1TraceIds(body: Json): string[] {
  return (body.data ?? []).map((trace: Json) => trace.traceID).sort();
}
