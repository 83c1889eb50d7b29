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
 * - Shedding: while `ExportGate` is shut, a trace that would start recording here gets a
 *   `ShedSpan` instead: nothing is recorded, the sampled flag stays what the sampler decided,
 *   and only a span whose context is sent on is recorded (see `shed_span.ts`).
 */
import {
  type Attributes,
  type Context,
  context as contextApi,
  isSpanContextValid,
  type Span,
  type SpanContext,
  SpanKind,
  type SpanOptions,
  trace,
  TraceFlags,
  type Tracer,
} from "@opentelemetry/api";
import { isTracingSuppressed } from "@opentelemetry/core";
import { type IdGenerator, type Sampler, SamplingDecision } from "@opentelemetry/sdk-trace";
import type { ExportGate } from "./export_gate.ts";
import { ShedSpan, type ShedSpanInfo } from "./shed_span.ts";
import { RANDOM_FLAG } from "./trace_context.ts";

/** What `Level2Tracer` wraps and consults. */
export interface Level2TracerOptions {
  /** The provider's sampler; asked here only while the gate sheds. */
  sampler: Sampler;
  /** The provider's id generator, for the ids of spans made here. */
  idGenerator: IdGenerator;
  /** Decides whether new traces are recorded; without one nothing is shed. */
  gate?: ExportGate;
}

/** A `Tracer` that applies the Level 2 rules around `inner`. */
export class Level2Tracer implements Tracer {
  readonly #inner: Tracer;
  readonly #sampler: Sampler;
  readonly #ids: IdGenerator;
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
    if (hasParent && parentContext.isRemote !== true && isUnrecorded(parent!, parentContext)) {
      return this.#nonRecordingChild(parent!, parentContext, name, options);
    }
    const random = hasParent ? parentContext.traceFlags & RANDOM_FLAG : RANDOM_FLAG;
    const localRoot = !hasParent || parentContext.isRemote === true;
    if (localRoot && this.#gate !== undefined && !this.#gate.isOpen) {
      const shed = this.#shed(name, options, base, hasParent ? parentContext : undefined, random);
      if (shed !== undefined) return shed;
    }
    return withFlags(this.#inner.startSpan(name, options, active), random);
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
   * A `ShedSpan` when the sampler would record this new local trace and the gate refuses it; a
   * plain non-recording span when the sampler would not record it; `undefined` when the gate
   * admits it.
   */
  #shed(
    name: string,
    options: SpanOptions,
    base: Context,
    remote: SpanContext | undefined,
    random: number,
  ): Span | undefined {
    const traceId = remote?.traceId ?? this.#ids.generateTraceId();
    const kind = options.kind ?? SpanKind.INTERNAL;
    const result = this.#sampler.shouldSample(
      base,
      traceId,
      name,
      kind,
      options.attributes ?? {},
      options.links ?? [],
    );
    const sampled = result.decision === SamplingDecision.RECORD_AND_SAMPLED;
    const spanContext: SpanContext = {
      traceId,
      spanId: this.#ids.generateSpanId(),
      traceFlags: (sampled ? TraceFlags.SAMPLED : TraceFlags.NONE) | random,
      traceState: result.traceState ?? remote?.traceState,
    };
    // Decided on this trace id: the SDK would draw another one for a new trace, and decide anew.
    if (result.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);
    if (this.#gate!.admit()) return undefined;
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

/** Adds `random` to the span's own flags (see the file comment). */
function withFlags(span: Span, random: number): Span {
  if (random === 0) return span;
  const spanContext = span.spanContext();
  if ((spanContext.traceFlags & random) === 0 && isSpanContextValid(spanContext)) {
    spanContext.traceFlags |= random;
  }
  return span;
}

/** Now in epoch milliseconds with sub-millisecond precision, as the SDK measures span times. */
function now(): number {
  return performance.timeOrigin + performance.now();
}
