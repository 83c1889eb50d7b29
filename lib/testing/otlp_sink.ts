/**
 * A minimal OTLP/HTTP JSON receiver for tests: collects the spans that services export so a test
 * can wait for a trace and assert on its tree. It accepts only `application/json` (set
 * `OTEL_EXPORTER_OTLP_PROTOCOL=http/json` on the services under test) and can be switched to
 * answer 503, to play a collector that is down.
 */
import { waitFor } from "./wait.ts";

/** One received span, flattened from OTLP JSON. */
export interface SinkSpan {
  service: string;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  links: { traceId: string; spanId: string }[];
  resource: Record<string, unknown>;
}

/** A running sink. */
export interface OtlpSink {
  /** Base URL to use as OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  readonly spans: readonly SinkSpan[];
  /** Number of export requests received, including refused ones. */
  readonly requests: number;
  /** When set, every export is answered 503 and dropped. */
  refuse: boolean;
  /** Spans of one trace. */
  trace(traceId: string): SinkSpan[];
  /** Waits until `predicate` holds for the received spans, or throws after `timeoutMs`. */
  waitFor(predicate: (spans: readonly SinkSpan[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** OTLP span kind numbers. */
export const SpanKindNumber = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };

/** Starts a sink on a free loopback port. */
export function startOtlpSink(): OtlpSink {
  const spans: SinkSpan[] = [];
  let requests = 0;
  const sink = {
    refuse: false,
    get spans() {
      return spans;
    },
    get requests() {
      return requests;
    },
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.text();
    requests++;
    if (sink.refuse) return new Response("refused", { status: 503 });
    if (new URL(req.url).pathname !== "/v1/traces") return Response.json({});
    if (!(req.headers.get("content-type") ?? "").includes("json")) {
      return new Response("only JSON", { status: 415 });
    }
    spans.push(...flatten(JSON.parse(body)));
    return Response.json({});
  });
  return Object.assign(sink, {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    trace: (traceId: string) => spans.filter((span) => span.traceId === traceId),
    waitFor: async (predicate: (spans: readonly SinkSpan[]) => boolean, timeoutMs = 10_000) => {
      await waitFor(
        () =>
          `the OTLP sink's spans; seen: ${spans.map((s) => `${s.service}:${s.name}`).join(", ")}`,
        () => predicate(spans),
        { timeoutMs, intervalMs: 50 },
      );
    },
    close: () => server.shutdown(),
  });
}

// deno-lint-ignore no-explicit-any
type Json = any;

function flatten(request: Json): SinkSpan[] {
  const result: SinkSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        result.push({
          service: String(resource["service.name"] ?? ""),
          scope: scopeSpans.scope?.name ?? "",
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId ?? "",
          name: span.name,
          kind: span.kind ?? 0,
          statusCode: span.status?.code ?? 0,
          attributes: attributesOf(span.attributes),
          events: (span.events ?? []).map((event: Json) => ({
            name: event.name,
            attributes: attributesOf(event.attributes),
          })),
          links: (span.links ?? []).map((link: Json) => ({
            traceId: link.traceId,
            spanId: link.spanId,
          })),
          resource,
        });
      }
    }
  }
  return result;
}

function attributesOf(list: Json[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((entry) => [entry.key, anyValue(entry.value)]));
}

function anyValue(value: Json): unknown {
  if (value === undefined || value === null) return undefined;
  if ("stringValue" in value) return value.stringValue;
  if ("intValue" in value) return Number(value.intValue);
  if ("doubleValue" in value) return value.doubleValue;
  if ("boolValue" in value) return value.boolValue;
  if ("arrayValue" in value) return (value.arrayValue.values ?? []).map(anyValue);
  return value;
}
