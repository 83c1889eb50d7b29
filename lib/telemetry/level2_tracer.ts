/**
 * The SDK's tracer with the W3C Trace Context Level 2 rules it leaves out, and shedding that does
 * not change what downstream sees.
 *
 * - Random flag: the SDK sets trace flags from the sampling decision alone. Here a span keeps the
 *   random flag (0x02) of its trace: the remote parent's, or set on a trace this process starts
 *   (`PooledIdGenerator` draws every trace id from `crypto.getRandomValues`). The SDK's span
 *   context is its own fresh object per span, so the flag is added to it right after start,
 *   before any exporter reads it.
 * - A span under a local unsampled parent that does not record gets its own span id and the
 *   parent's flags, without asking the sampler (every standard sampler decides the same for a
 *   trace): each outgoing request then carries its own parent-id, recorded or not, at the cost of
 *   one id.
 * - A span that starts a trace here (new, or under a remote parent) is sampled here first: one
 *   the sampler does not record is a plain non-recording span with fresh ids, which costs about
 *   a tenth of the SDK's span set-up (its id generation, attribute cleaning, span metrics);
 *   that is what nine requests in ten pay at 10%.
 * - Shedding: while `ExportGate` is shut, a trace that would start recording here gets a
 *   `ShedSpan` instead: nothing is recorded, the sampled flag stays what the sampler decided,
 *   and only a span whose context is sent on is recorded (see `shed_span.ts`).
 */
import {
  type Attributes,
  type Context,
  context as contextApi,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  type Link,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  trace,
  TraceFlags,
  type Tracer,
} from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import { type Sampler, SamplingDecision } from "@opentelemetry/sdk-trace";
import type { ExportGate } from "./export_gate.ts";
import type { PooledIdGenerator } from "./id_generator.ts";
import { ShedSpan, type ShedSpanInfo } from "./shed_span.ts";
import { RANDOM_FLAG } from "./trace_context.ts";

const NO_ATTRIBUTES: Attributes = Object.freeze({});
const NO_LINKS: Link[] = [];

/** What `Level2Tracer` wraps and consults. */
export interface Level2TracerOptions {
  /** The provider's sampler; asked here first for every span that starts a trace here. */
  sampler: Sampler;
  /** The provider's id generator, for the ids of spans made here. */
  idGenerator: PooledIdGenerator;
  /** Decides whether new traces are recorded; without one nothing is shed. */
  gate?: ExportGate;
}

/** A `Tracer` that applies the Level 2 rules around `inner`. */
export class Level2Tracer implements Tracer {
  readonly #inner: Tracer;
  readonly #sampler: Sampler;
  readonly #ids: PooledIdGenerator;
  readonly #gate: ExportGate | undefined;

  constructor(inner: Tracer, options: Level2TracerOptions) {
    this.#inner = inner;
    this.#sampler = options.sampler;
    this.#ids = options.idGenerator;
    this.#gate = options.gate;
  }

  startSpan(name: string, options: SpanOptions = {}, context?: Context): Span {
    const active = context ?? contextApi.active();
    // The SDK answers a suppressed context (e.g. an exporter's own requests) with a no-op span.
    if (isTracingSuppressed(active)) return this.#inner.startSpan(name, options, active);
    const base = options.root === true ? trace.deleteSpan(active) : active;
    const parent = trace.getSpan(base);
    const parentContext = parent?.spanContext();
    const hasParent = parentContext !== undefined && isSpanContextValid(parentContext);
    if (hasParent && parentContext.isRemote !== true) {
      if (isUnrecorded(parent!, parentContext)) {
        return this.#nonRecordingChild(parent!, parentContext, name, options);
      }
      const span = this.#inner.startSpan(name, options, active);
      return withFlags(span, parentContext.traceFlags & RANDOM_FLAG);
    }
    return this.#startLocalRoot(name, options, active, base, hasParent ? parentContext : undefined);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    context: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    ...rest: [F] | [SpanOptions, F] | [SpanOptions, Context, F]
  ): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = rest.length > 1 ? rest[0] as SpanOptions : {};
    const parent = rest.length > 2 ? rest[1] as Context : contextApi.active();
    const span = this.startSpan(name, options, parent);
    return contextApi.with(trace.setSpan(parent, span), () => fn(span)) as ReturnType<F>;
  }

  #nonRecordingChild(
    parent: Span,
    parentContext: SpanContext,
    name: string,
    options: SpanOptions,
  ): Span {
    const spanId = this.#ids.generateSpanId();
    if (parent instanceof ShedSpan) {
      return parent.child(spanId, { ...options, name, startTime: options.startTime ?? now() });
    }
    return trace.wrapSpanContext({
      traceId: parentContext.traceId,
      spanId,
      traceFlags: parentContext.traceFlags,
      traceState: parentContext.traceState,
    });
  }

  /**
   * A span that starts a trace here: a new trace, or a remote parent's child. The sampler is asked
   * here, once, on the trace id the span gets: a trace it does not record costs an id and a
   * plain non-recording span, not the SDK's span set-up. One it records goes to the SDK, which
   * asks the sampler again on the same trace id (every standard sampler decides on the trace id
   * and parent alone), unless the gate sheds it: then it gets a `ShedSpan`.
   */
  #startLocalRoot(
    name: string,
    options: SpanOptions,
    active: Context,
    base: Context,
    remote: SpanContext | undefined,
  ): Span {
    const random = remote === undefined ? RANDOM_FLAG : remote.traceFlags & RANDOM_FLAG;
    const traceId = remote?.traceId ?? this.#ids.generateTraceId();
    const kind = options.kind ?? SpanKind.INTERNAL;
    const result = this.#sampler.shouldSample(
      base,
      traceId,
      name,
      kind,
      options.attributes ?? NO_ATTRIBUTES,
      options.links ?? NO_LINKS,
    );
    if (result.decision === SamplingDecision.NOT_RECORD) {
      return trace.wrapSpanContext({
        traceId,
        spanId: this.#ids.generateSpanId(),
        traceFlags: random,
        traceState: result.traceState ?? remote?.traceState,
      });
    }
    const gate = this.#gate;
    if (gate !== undefined && !gate.isOpen && !gate.admit()) {
      const sampled = result.decision === SamplingDecision.RECORD_AND_SAMPLED;
      const spanContext: SpanContext = {
        traceId,
        spanId: this.#ids.generateSpanId(),
        traceFlags: (sampled ? TraceFlags.SAMPLED : TraceFlags.NONE) | random,
        traceState: result.traceState ?? remote?.traceState,
      };
      return new ShedSpan(spanContext, {
        name,
        kind,
        attributes: options.attributes,
        startTime: options.startTime ?? now(),
        // A new trace has no recorded ancestor: its stand-ins hang from its (unrecorded) root.
        bridgeParent: remote ?? { ...spanContext, isRemote: true },
        startBridge: (info) => this.#startBridge(info),
      });
    }
    // The SDK draws a new trace's id itself: it gets the one decided on.
    if (remote === undefined) this.#ids.handOverTraceId(traceId);
    try {
      return withFlags(this.#inner.startSpan(name, options, active), random);
    } finally {
      this.#ids.handOverTraceId(undefined);
    }
  }

  #startBridge(info: ShedSpanInfo): Span | undefined {
    if (this.#gate?.exportsFailing === true) return undefined;
    this.#gate?.countBridge();
    const parent = trace.setSpanContext(contextApi.active(), info.bridgeParent);
    const span = this.#inner.startSpan(info.name, {
      kind: info.kind,
      attributes: info.attributes as Attributes | undefined,
      startTime: info.startTime,
    }, parent);
    return withFlags(span, info.bridgeParent.traceFlags & RANDOM_FLAG);
  }
}

/**
 * Whether a local parent's trace is not recorded here: a shed span not (yet) recorded, or an
 * unsampled span that does not record. A sampled span that stopped recording because it ended
 * still has its children recorded, as the SDK does.
 */
function isUnrecorded(parent: Span, parentContext: SpanContext): boolean {
  if (parent instanceof ShedSpan) return !parent.bridged;
  return (parentContext.traceFlags & TraceFlags.SAMPLED) === 0 && !parent.isRecording();
}

/**
 * Adds `random` to the span's own flags (see the file comment). The SDK's shared invalid context
 * comes only from a suppressed context, which is answered before; it is still never changed.
 */
function withFlags(span: Span, random: number): Span {
  if (random === 0) return span;
  const spanContext = span.spanContext();
  if ((spanContext.traceFlags & random) === 0 && spanContext !== INVALID_SPAN_CONTEXT) {
    spanContext.traceFlags |= random;
  }
  return span;
}

/** Now in epoch milliseconds with sub-millisecond precision, as the SDK measures span times. */
function now(): number {
  return performance.timeOrigin + performance.now();
}
