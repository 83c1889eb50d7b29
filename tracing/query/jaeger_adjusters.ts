/**
 * What jaeger-query's standard adjusters change in a trace it serves (unless `raw=true` is asked
 * for), so the tracing service answers the same: tags and process tags sorted by key, each log's
 * `event` field first and the others by key, and the clock-skew adjuster's warnings
 * (`jaeger_clock_skew.ts`). The v3 API gets the same from Jaeger's v2 adjusters on OTLP:
 * attributes sorted by key, events by name, warnings in the `@jaeger@warnings` attribute.
 */
import type { KeyValue, SpanRecord } from "../span_model.ts";
import { clockSkewWarnings } from "./jaeger_clock_skew.ts";
import type { JaegerTag, JaegerTrace } from "./jaeger_model.ts";

/** The attribute in which Jaeger's v2 adjusters leave their warnings. */
export const WARNINGS_ATTRIBUTE = "@jaeger@warnings";

function byKey<T extends { key: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** A v1 trace as Jaeger's v1 adjusters leave it; `spans` are the records it was made from. */
export function adjustJaegerTrace(trace: JaegerTrace, spans: readonly SpanRecord[]): JaegerTrace {
  const warnings = clockSkewWarnings(spans, "v1");
  const processes: JaegerTrace["processes"] = {};
  for (const [id, process] of Object.entries(trace.processes)) {
    processes[id] = { ...process, tags: byKey(process.tags) };
  }
  return {
    ...trace,
    processes,
    spans: trace.spans.map((span) => ({
      ...span,
      tags: byKey(span.tags),
      logs: span.logs.map((log) => ({ ...log, fields: eventFirst(log.fields) })),
      warnings: warnings.get(span.spanID) ?? span.warnings,
    })),
  };
}

function eventFirst(fields: readonly JaegerTag[]): JaegerTag[] {
  const at = fields.findIndex((field) => field.key === "event" && field.type === "string");
  if (at < 0) return byKey(fields);
  return [fields[at]!, ...byKey(fields.filter((_, i) => i !== at))];
}

/** Spans as Jaeger's v2 adjusters leave them for the v3 API. */
export function adjustOtlpSpans(spans: readonly SpanRecord[]): SpanRecord[] {
  const warnings = clockSkewWarnings(spans, "v3");
  return spans.map((span) => {
    const added = warnings.get(span.spanId);
    const attributes: KeyValue[] = added === undefined ? span.attributes : [
      ...span.attributes,
      {
        key: WARNINGS_ATTRIBUTE,
        value: { arrayValue: { values: added.map((text) => ({ stringValue: text })) } },
      },
    ];
    return {
      ...span,
      resource: byKey(span.resource),
      attributes: byKey(attributes),
      // Go's SpanEventSlice.Sort is stable: events of one name keep their order.
      events: [...span.events].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
        .map((event) => ({ ...event, attributes: byKey(event.attributes) })),
      links: span.links.map((link) => ({ ...link, attributes: byKey(link.attributes) })),
    };
  });
}
