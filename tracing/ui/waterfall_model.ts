/**
 * A stored trace laid out for the waterfall: spans in tree order with their depth and offsets,
 * a broker-wait row between each PRODUCER span and its CONSUMER child, and the critical path.
 */
import {
  attributeText,
  durationMicros,
  isError,
  type LogRecord,
  type SpanRecord,
  startMicros,
} from "../span_model.ts";
import type { StoredTrace } from "../store/query.ts";
import { criticalPath } from "./critical_path.ts";

const PRODUCER = 4;
const CONSUMER = 5;

/** One waterfall row: a span, or the time a message waited in the broker before its consumer. */
export interface WaterfallRow {
  type: "span" | "wait";
  /** The span; for a wait row, the CONSUMER span that ended the wait. */
  span: SpanRecord;
  /** Unique within the trace: the span id, or `wait-<consumer span id>`. */
  id: string;
  depth: number;
  /** Offset from the trace's start and length, in µs. */
  offsetUs: number;
  durationUs: number;
  hasChildren: boolean;
  /** Stretches of this span on the critical path, as offsets in µs. */
  critical: { offsetUs: number; durationUs: number }[];
  /** For a wait row: the queue or destination the message waited in. */
  destination?: string;
}

/** A trace ready to draw. */
export interface TraceModel {
  traceId: string;
  root: SpanRecord;
  startUs: number;
  durationUs: number;
  rows: WaterfallRow[];
  services: string[];
  errorCount: number;
  depth: number;
  byId: Map<string, SpanRecord>;
  children: Map<string, SpanRecord[]>;
  /** Spans of this trace that link to a span, by the linked span's id. */
  linkedFrom: Map<string, SpanRecord[]>;
  logs: LogRecord[];
  logsBySpan: Map<string, LogRecord[]>;
  /** What the read limit left out of a very large trace, when it did. */
  omitted?: { spans: number; logs: number };
}

/** Lays out a trace. */
export function traceModel(trace: StoredTrace): TraceModel {
  const spans = [...trace.spans].sort((a, b) => startMicros(a) - startMicros(b));
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const children = new Map<string, SpanRecord[]>();
  const roots: SpanRecord[] = [];
  for (const span of spans) {
    if (span.parentSpanId !== "" && byId.has(span.parentSpanId)) {
      const siblings = children.get(span.parentSpanId) ?? [];
      siblings.push(span);
      children.set(span.parentSpanId, siblings);
    } else roots.push(span);
  }
  const linkedFrom = new Map<string, SpanRecord[]>();
  for (const span of spans) {
    for (const link of span.links) {
      linkedFrom.set(link.spanId, [...(linkedFrom.get(link.spanId) ?? []), span]);
    }
  }
  const logsBySpan = new Map<string, LogRecord[]>();
  for (const log of trace.logs) {
    logsBySpan.set(log.spanId, [...(logsBySpan.get(log.spanId) ?? []), log]);
  }
  const startUs = Math.min(...spans.map(startMicros));
  const endUs = Math.max(...spans.map((s) => startMicros(s) + durationMicros(s)));
  const root = roots.find((span) => span.parentSpanId === "") ?? roots[0]!;

  const sections = criticalPath(
    spans.map((s) => ({
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      startUs: startMicros(s),
      endUs: startMicros(s) + durationMicros(s),
      async: s.kind === CONSUMER && byId.get(s.parentSpanId)?.kind === PRODUCER,
    })),
    root.spanId,
  );
  const critical = new Map<string, { offsetUs: number; durationUs: number }[]>();
  for (const section of sections) {
    const list = critical.get(section.spanId) ?? [];
    list.push({ offsetUs: section.startUs - startUs, durationUs: section.endUs - section.startUs });
    critical.set(section.spanId, list);
  }

  const rows: WaterfallRow[] = [];
  const visit = (span: SpanRecord, depth: number, parent: SpanRecord | undefined) => {
    if (parent !== undefined && parent.kind === PRODUCER && span.kind === CONSUMER) {
      rows.push(waitRow(parent, span, depth, startUs));
    }
    const kids = children.get(span.spanId) ?? [];
    rows.push({
      type: "span",
      span,
      id: span.spanId,
      depth,
      offsetUs: startMicros(span) - startUs,
      durationUs: durationMicros(span),
      hasChildren: kids.length > 0,
      critical: critical.get(span.spanId) ?? [],
    });
    for (const child of kids) visit(child, depth + 1, span);
  };
  for (const span of roots) visit(span, 0, undefined);

  return {
    traceId: root.traceId,
    root,
    startUs,
    durationUs: endUs - startUs,
    rows,
    services: [...new Set(spans.map((s) => s.service))].sort(),
    errorCount: spans.filter(isError).length,
    depth: Math.max(...rows.map((row) => row.depth)) + 1,
    byId,
    children,
    linkedFrom,
    logs: trace.logs,
    logsBySpan,
    ...(trace.omitted === undefined ? {} : { omitted: trace.omitted }),
  };
}

/**
 * The broker wait runs from the end of the publish to the start of processing; when processing
 * began before the publish span ended (a slow confirm), it runs from the publish's start.
 */
function waitRow(
  producer: SpanRecord,
  consumer: SpanRecord,
  depth: number,
  traceStartUs: number,
): WaterfallRow {
  const producerStart = startMicros(producer);
  const producerEnd = producerStart + durationMicros(producer);
  const consumerStart = startMicros(consumer);
  const from = producerEnd <= consumerStart ? producerEnd : Math.min(producerStart, consumerStart);
  const destination = attributeText(consumer.attributes, "messaging.destination.name") ??
    attributeText(producer.attributes, "messaging.destination.name");
  return {
    type: "wait",
    span: consumer,
    id: `wait-${consumer.spanId}`,
    depth,
    offsetUs: from - traceStartUs,
    durationUs: Math.max(0, consumerStart - from),
    hasChildren: false,
    critical: [],
    ...(destination === undefined ? {} : { destination }),
  };
}
