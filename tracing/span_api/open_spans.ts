/**
 * Spans opened through the span API, held in memory until ended. Each has a TTL: an abandoned
 * span is ended with an ERROR status when it expires, and `close()` ends every open span, so none
 * is leaked or lost. The number of open spans is capped. Spans follow the same ingest limits as
 * OTLP's (tracing/ingest/limits.ts): what is over them is dropped and counted, not refused.
 */
import { HttpError } from "../../lib/http/errors.ts";
import { bytesToHex } from "../../lib/hex.ts";
import {
  DEFAULT_INGEST_LIMITS,
  emptyTally,
  type IngestLimits,
  type LimitTally,
  limitText,
  setLimitedAttributes,
} from "../ingest/limits.ts";
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

const RECENT_MAX = 10_000;

/** What `OpenSpans` needs; `finish` receives each ended span, `nowNs` is injectable for tests. */
export interface OpenSpansOptions {
  ttlMs: number;
  maxOpen: number;
  finish: (span: SpanRecord) => void;
  nowNs?: () => bigint;
  /** The ingest limits; the defaults when not given. */
  limits?: IngestLimits;
  /** Told what the limits cut from one call, for `/metrics`. */
  onLimited?: (tally: LimitTally) => void;
}

/** The open-span registry: spans by id until ended, expired or closed, and a sweep timer. */
export class OpenSpans {
  readonly #options: OpenSpansOptions;
  readonly #nowNs: () => bigint;
  readonly #open = new Map<string, { span: SpanRecord; expiresNs: bigint }>();
  /** Recently ended spans (id to trace id), so late children still find their parent. */
  readonly #recent = new Map<string, string>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: OpenSpansOptions) {
    this.#options = options;
    this.#nowNs = options.nowNs ?? (() => BigInt(Date.now()) * 1_000_000n);
  }

  /** Opens a span; 503 above the cap, 404 for an unknown parent. */
  start(input: StartSpan): SpanHandle {
    const { ttlMs, maxOpen } = this.#options;
    if (this.#open.size >= maxOpen) {
      throw new HttpError(
        503,
        "too_many_open_spans",
        `Too many open spans: the limit is ${maxOpen}`,
        { headers: { "retry-after": "1" } },
      );
    }
    const tally = emptyTally();
    const limits = this.#limits;
    const attributes: KeyValue[] = [];
    const dropped = setLimitedAttributes(attributes, input.attributes, limits, tally);
    let traceId = randomHex(16);
    let parentSpanId = "";
    if (input.remoteParent !== undefined) {
      traceId = input.remoteParent.traceId;
      parentSpanId = input.remoteParent.spanId;
    } else if (input.parentSpanId !== undefined) {
      const parentId = input.parentSpanId.toLowerCase();
      const parentTrace = this.#open.get(parentId)?.span.traceId ?? this.#recent.get(parentId);
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
    const start = input.startNs ?? this.#nowNs();
    const span: SpanRecord = {
      traceId,
      spanId: randomHex(8),
      parentSpanId,
      traceState: "",
      flags: 1,
      name: limitText(input.name, limits, tally),
      kind: input.kind,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start),
      attributes,
      events: [],
      links: [],
      status: { code: 0, message: "" },
      service: limitText(input.service, limits, tally),
      resource: [],
      scope: { name: "tracing-span-api", version: "" },
    };
    span.resource = [{ key: "service.name", value: { stringValue: span.service } }];
    if (dropped > 0) span.droppedAttributesCount = dropped;
    this.#report(tally);
    this.#open.set(span.spanId, {
      span,
      expiresNs: this.#nowNs() + BigInt(ttlMs) * 1_000_000n,
    });
    this.#timer ??= setInterval(() => this.sweep(), Math.max(10, Math.min(1000, ttlMs / 2)));
    return handle(span);
  }

  /** Adds an event to an open span. */
  addEvent(
    spanId: string,
    event: { name: string; timeNs?: bigint; attributes: KeyValue[] },
  ): SpanHandle {
    const span = this.#get(spanId);
    const limits = this.#limits;
    const tally = emptyTally();
    if (span.events.length >= limits.eventCount) {
      span.droppedEventsCount = (span.droppedEventsCount ?? 0) + 1;
      tally.events++;
    } else {
      const attributes: KeyValue[] = [];
      const dropped = setLimitedAttributes(attributes, event.attributes, limits, tally);
      span.events.push({
        name: limitText(event.name, limits, tally),
        timeUnixNano: String(event.timeNs ?? this.#nowNs()),
        attributes,
        ...(dropped > 0 ? { droppedAttributesCount: dropped } : {}),
      });
    }
    this.#report(tally);
    return handle(span);
  }

  /** Sets attributes of an open span, replacing those with the same keys. */
  setAttributes(spanId: string, attributes: KeyValue[]): SpanHandle {
    const span = this.#get(spanId);
    const tally = emptyTally();
    const dropped = setLimitedAttributes(span.attributes, attributes, this.#limits, tally);
    if (dropped > 0) span.droppedAttributesCount = (span.droppedAttributesCount ?? 0) + dropped;
    this.#report(tally);
    return handle(span);
  }

  /** Ends an open span, with a status when given. */
  end(spanId: string, options: { endNs?: bigint; status?: number; message?: string }): SpanHandle {
    const span = this.#get(spanId);
    const { endNs, status, message } = options;
    if (endNs !== undefined && endNs < BigInt(span.startTimeUnixNano)) {
      throw new HttpError(400, "invalid_time", "Invalid end time: it is before the span's start");
    }
    if (status !== undefined) {
      const tally = emptyTally();
      span.status = { code: status, message: limitText(message ?? "", this.#limits, tally) };
      this.#report(tally);
    }
    this.#finish(span, endNs ?? this.#nowNs());
    return handle(span);
  }

  /** How many spans are open. */
  size(): number {
    return this.#open.size;
  }

  /** Ends expired spans with an ERROR status; returns how many. */
  sweep(): number {
    const now = this.#nowNs();
    let expired = 0;
    for (const { span, expiresNs } of [...this.#open.values()]) {
      if (expiresNs > now) continue;
      span.status = { code: STATUS_ERROR, message: "Span not ended before its TTL expired" };
      this.#finish(span, now);
      expired++;
    }
    return expired;
  }

  /** Ends every open span (on shutdown) and stops the timer. */
  close(): void {
    const now = this.#nowNs();
    for (const { span } of [...this.#open.values()]) {
      span.attributes.push({
        key: "tracing.span_api.ended_by",
        value: { stringValue: "shutdown" },
      });
      this.#finish(span, now);
    }
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  get #limits(): IngestLimits {
    return this.#options.limits ?? DEFAULT_INGEST_LIMITS;
  }

  #report(tally: LimitTally): void {
    if (Object.values(tally).some((count) => count > 0)) this.#options.onLimited?.(tally);
  }

  #get(spanId: string): SpanRecord {
    const entry = this.#open.get(spanId.toLowerCase());
    if (entry === undefined) {
      throw new HttpError(
        404,
        "span_not_found",
        `Open span "${spanId}" not found: it was ended, expired or never started`,
      );
    }
    return entry.span;
  }

  #finish(span: SpanRecord, endNs: bigint): void {
    this.#open.delete(span.spanId);
    this.#recent.set(span.spanId, span.traceId);
    if (this.#recent.size > RECENT_MAX) {
      this.#recent.delete(this.#recent.keys().next().value as string);
    }
    span.endTimeUnixNano = String(
      endNs < BigInt(span.startTimeUnixNano) ? BigInt(span.startTimeUnixNano) : endNs,
    );
    this.#options.finish(span);
    if (this.#open.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

function handle(span: SpanRecord): SpanHandle {
  return {
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId === "" ? null : span.parentSpanId,
    traceparent: `00-${span.traceId}-${span.spanId}-01`,
    name: span.name,
    service: span.service,
    start_time: new Date(Number(BigInt(span.startTimeUnixNano) / 1_000_000n)).toISOString(),
  };
}

function randomHex(bytes: number): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(bytes)));
}
