/**
 * Copies chosen baggage entries onto every span as attributes, as the OpenTelemetry Demo does
 * with `synthetic_request=true`: a span of load-generated traffic says so itself, whichever
 * service made it, so searches and alerts can tell it from a person's.
 */
import { type Context, propagation } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace";

/** The baggage keys every service copies onto its spans. */
export const COPIED_BAGGAGE_KEYS = ["synthetic_request"] as const;

/** A span processor that sets each of `keys` found in the parent context's baggage. */
export class BaggageAttributesProcessor implements SpanProcessor {
  readonly #keys: readonly string[];

  constructor(keys: readonly string[] = COPIED_BAGGAGE_KEYS) {
    this.#keys = keys;
  }

  onStart(span: Span, parentContext: Context): void {
    const baggage = propagation.getBaggage(parentContext);
    if (baggage === undefined) return;
    for (const key of this.#keys) {
      const entry = baggage.getEntry(key);
      if (entry !== undefined) span.setAttribute(key, entry.value);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
