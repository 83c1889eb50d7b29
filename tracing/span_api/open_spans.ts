/**
 * Spans opened through the span API, held in memory until ended. Each has a TTL: an abandoned
 * span is ended with an ERROR status when it expires, and `close()` ends every open span, so none
 * is leaked or lost. The number of open spans is capped.
 */
import { HttpError } from "../../lib/http/errors.ts";
import { bytesToHex } from "../../lib/hex.ts";
import { type KeyValue, type SpanRecord, STATUS_ERROR } from "../span_model.ts";

/** What the caller gets back: the real W3C ids. */
export interface SpanHandle {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  traceparent: string;
  name: string;
  service: string;
  start_time: string;
}

/** Parameters of a new span; times in nanoseconds since the epoch. */
export interface StartSpan {
  service: string;
  name: string;
  kind: number;
  /** A remote parent from a W3C `traceparent`, trusted as is. */
  remoteParent?: { traceId: string; spanId: string };
  /** A parent opened through this API (or recently ended), checked to exist. */
  parentSpanId?: string;
  /** With `parentSpanId`, the trace it must belong to. */
  traceId?: string;
  startNs?: bigint;
  attributes: KeyValue[];
}

/** The open-span registry. */
export interface OpenSpans {
  start(input: StartSpan): SpanHandle;
  addEvent(
    spanId: string,
    event: { name: string; timeNs?: bigint; attributes: KeyValue[] },
  ): SpanHandle;
  setAttributes(spanId: string, attributes: KeyValue[]): SpanHandle;
  end(spanId: string, options: { endNs?: bigint; status?: number; message?: string }): SpanHandle;
  size(): number;
  /** Ends expired spans with an ERROR status; returns how many. */
  sweep(): number;
  /** Ends every open span (on shutdown) and stops the timer. */
  close(): void;
}

const RECENT_MAX = 10_000;
const MAX_ATTRIBUTES = 128;

/** Creates the registry; `finish` receives each ended span. */
export function createOpenSpans(options: {
  ttlMs: number;
  maxOpen: number;
  finish: (span: SpanRecord) => void;
  nowNs?: () => bigint;
}): OpenSpans {
  const nowNs = options.nowNs ?? (() => BigInt(Date.now()) * 1_000_000n);
  const open = new Map<string, { span: SpanRecord; expiresNs: bigint }>();
  const recent = new Map<string, string>();
  let timer: ReturnType<typeof setInterval> | undefined;

  const handle = (span: SpanRecord): SpanHandle => ({
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId === "" ? null : span.parentSpanId,
    traceparent: `00-${span.traceId}-${span.spanId}-01`,
    name: span.name,
    service: span.service,
    start_time: new Date(Number(BigInt(span.startTimeUnixNano) / 1_000_000n)).toISOString(),
  });
  const get = (spanId: string) => {
    const entry = open.get(spanId.toLowerCase());
    if (entry === undefined) {
      throw new HttpError(
        404,
        "span_not_found",
        `Open span "${spanId}" not found: it was ended, expired or never started`,
      );
    }
    return entry.span;
  };
  const finish = (span: SpanRecord, endNs: bigint) => {
    open.delete(span.spanId);
    recent.set(span.spanId, span.traceId);
    if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value as string);
    span.endTimeUnixNano = String(
      endNs < BigInt(span.startTimeUnixNano) ? BigInt(span.startTimeUnixNano) : endNs,
    );
    options.finish(span);
    if (open.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  const sweep = (): number => {
    const now = nowNs();
    let expired = 0;
    for (const { span, expiresNs } of [...open.values()]) {
      if (expiresNs > now) continue;
      span.status = { code: STATUS_ERROR, message: "Span not ended before its TTL expired" };
      finish(span, now);
      expired++;
    }
    return expired;
  };

  return {
    start(input) {
      if (open.size >= options.maxOpen) {
        throw new HttpError(
          503,
          "too_many_open_spans",
          `Too many open spans: the limit is ${options.maxOpen}`,
          {
            headers: { "retry-after": "1" },
          },
        );
      }
      checkAttributes(input.attributes, 0);
      let traceId = randomHex(16);
      let parentSpanId = "";
      if (input.remoteParent !== undefined) {
        traceId = input.remoteParent.traceId;
        parentSpanId = input.remoteParent.spanId;
      } else if (input.parentSpanId !== undefined) {
        const parentId = input.parentSpanId.toLowerCase();
        const parentTrace = open.get(parentId)?.span.traceId ?? recent.get(parentId);
        if (
          parentTrace === undefined ||
          (input.traceId !== undefined && input.traceId.toLowerCase() !== parentTrace)
        ) {
          throw new HttpError(
            404,
            "unknown_parent",
            `Unknown parent span "${input.parentSpanId}"${
              input.traceId === undefined ? "" : ` in trace "${input.traceId}"`
            }`,
          );
        }
        traceId = parentTrace;
        parentSpanId = parentId;
      }
      const start = input.startNs ?? nowNs();
      const span: SpanRecord = {
        traceId,
        spanId: randomHex(8),
        parentSpanId,
        traceState: "",
        flags: 1,
        name: input.name,
        kind: input.kind,
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start),
        attributes: input.attributes,
        events: [],
        links: [],
        status: { code: 0, message: "" },
        service: input.service,
        resource: [{ key: "service.name", value: { stringValue: input.service } }],
        scope: { name: "tracing-span-api", version: "" },
      };
      open.set(span.spanId, { span, expiresNs: nowNs() + BigInt(options.ttlMs) * 1_000_000n });
      timer ??= setInterval(sweep, Math.max(10, Math.min(1000, options.ttlMs / 2)));
      return handle(span);
    },
    addEvent(spanId, event) {
      const span = get(spanId);
      checkAttributes(event.attributes, 0);
      if (span.events.length >= MAX_ATTRIBUTES) {
        throw new HttpError(
          400,
          "too_many_events",
          `Too many events: the limit is ${MAX_ATTRIBUTES} per span`,
        );
      }
      span.events.push({
        name: event.name,
        timeUnixNano: String(event.timeNs ?? nowNs()),
        attributes: event.attributes,
      });
      return handle(span);
    },
    setAttributes(spanId, attributes) {
      const span = get(spanId);
      const keys = new Set(attributes.map((kv) => kv.key));
      checkAttributes(attributes, span.attributes.filter((kv) => !keys.has(kv.key)).length);
      span.attributes = [...span.attributes.filter((kv) => !keys.has(kv.key)), ...attributes];
      return handle(span);
    },
    end(spanId, { endNs, status, message }) {
      const span = get(spanId);
      if (endNs !== undefined && endNs < BigInt(span.startTimeUnixNano)) {
        throw new HttpError(400, "invalid_time", "Invalid end time: it is before the span's start");
      }
      if (status !== undefined) span.status = { code: status, message: message ?? "" };
      finish(span, endNs ?? nowNs());
      return handle(span);
    },
    size: () => open.size,
    sweep,
    close() {
      const now = nowNs();
      for (const { span } of [...open.values()]) {
        span.attributes.push({
          key: "tracing.span_api.ended_by",
          value: { stringValue: "shutdown" },
        });
        finish(span, now);
      }
      clearInterval(timer);
      timer = undefined;
    },
  };
}

function checkAttributes(attributes: readonly KeyValue[], existing: number): void {
  if (attributes.length + existing > MAX_ATTRIBUTES) {
    throw new HttpError(
      400,
      "too_many_attributes",
      `Too many attributes: the limit is ${MAX_ATTRIBUTES} per span`,
    );
  }
  for (const kv of attributes) {
    const size = JSON.stringify(kv.value).length;
    if (kv.key.length > 256 || size > 4096) {
      throw new HttpError(
        400,
        "attribute_too_large",
        `Attribute "${
          kv.key.slice(0, 64)
        }" too large: keys up to 256 and values up to 4096 characters`,
      );
    }
  }
}

function randomHex(bytes: number): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(bytes)));
}
