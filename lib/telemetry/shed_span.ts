/**
 * A span of a trace this process sheds while its export pipeline cannot take spans.
 *
 * It records nothing and keeps the sampled flag the sampler chose, so the services it calls keep
 * recording the trace their caller records. When its context is about to be sent on (an outgoing
 * request or message), it records itself after all, as one plain span whose parent is the
 * nearest span recorded elsewhere (the remote caller): the spans downstream then hang from a
 * span that exists, not from an id nobody stored. Everything else of the shed trace in this
 * process (the SERVER span, database calls, internal spans) is never recorded. While exports are
 * failing no stand-in is recorded either: it could not be delivered, and would only fill the
 * queue the recovered pipeline must drain first.
 */
import type {
  Attributes,
  AttributeValue,
  Exception,
  Link,
  Span,
  SpanContext,
  SpanKind,
  SpanStatus,
  TimeInput,
} from "@opentelemetry/api";

/**
 * Starts the recorded stand-in of a shed span (the Tracer knows how); `undefined` when nothing
 * recorded now could be delivered (exports are failing).
 */
export type StartBridge = (shed: ShedSpanInfo) => Span | undefined;

/** What a shed span remembers to record itself later. */
export interface ShedSpanInfo {
  name: string;
  kind: SpanKind | undefined;
  attributes: Attributes | undefined;
  startTime: TimeInput;
  /** The span the stand-in becomes a child of: the remote parent, or this trace's local root. */
  bridgeParent: SpanContext;
  startBridge: StartBridge;
}

/** A non-recording span that records itself once its context is propagated. */
export class ShedSpan implements Span {
  readonly #context: SpanContext;
  readonly #info: ShedSpanInfo;
  #bridge: Span | undefined;
  #ended: TimeInput | undefined;

  constructor(spanContext: SpanContext, info: ShedSpanInfo) {
    this.#context = spanContext;
    this.#info = info;
  }

  /** A shed child: same trace and flags, its own span id, the same bridge parent. */
  child(
    spanId: string,
    options: { name: string; kind?: SpanKind; attributes?: Attributes; startTime: TimeInput },
  ): ShedSpan {
    return new ShedSpan({ ...this.#context, spanId }, {
      ...this.#info,
      name: options.name,
      kind: options.kind,
      attributes: options.attributes,
      startTime: options.startTime,
    });
  }

  /** Whether this span was recorded after all because its context went out. */
  get bridged(): boolean {
    return this.#bridge !== undefined;
  }

  /**
   * Records this span from now on (from its start time), because its id is about to be sent:
   * called by the propagator. The stand-in's id then replaces this span's.
   */
  bridge(): void {
    if (this.#bridge !== undefined) return;
    this.#bridge = this.#info.startBridge(this.#info);
    if (this.#ended !== undefined) this.#bridge?.end(this.#ended);
  }

  spanContext(): SpanContext {
    return this.#bridge?.spanContext() ?? this.#context;
  }

  isRecording(): boolean {
    return this.#bridge?.isRecording() ?? false;
  }

  setAttribute(key: string, value: AttributeValue): this {
    this.#bridge?.setAttribute(key, value);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    this.#bridge?.setAttributes(attributes);
    return this;
  }

  addEvent(
    name: string,
    attributesOrStartTime?: Attributes | TimeInput,
    startTime?: TimeInput,
  ): this {
    this.#bridge?.addEvent(name, attributesOrStartTime, startTime);
    return this;
  }

  addLink(link: Link): this {
    this.#bridge?.addLink(link);
    return this;
  }

  addLinks(links: Link[]): this {
    this.#bridge?.addLinks(links);
    return this;
  }

  setStatus(status: SpanStatus): this {
    this.#bridge?.setStatus(status);
    return this;
  }

  updateName(name: string): this {
    this.#bridge?.updateName(name);
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.#ended !== undefined) return;
    this.#ended = endTime ?? new Date();
    this.#bridge?.end(endTime);
  }

  recordException(exception: Exception, time?: TimeInput): void {
    this.#bridge?.recordException(exception, time);
  }
}
