/**
 * W3C Trace Context and Baggage over a plain header record, shared by HTTP and AMQP.
 *
 * Values may be strings, string arrays or byte buffers (AMQP headers often arrive as Buffers).
 * Broken values never throw: extraction then yields a context without a remote parent, so the
 * next span starts a new trace.
 */
import { type Context, context, propagation, type TextMapGetter } from "@opentelemetry/api";

/** A header record as HTTP frameworks and AMQP clients hand them out. */
export type HeaderCarrier = Record<string, unknown>;

const getter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key] ?? findCaseInsensitive(carrier, key);
    return headerText(value);
  },
};

const headersGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * Reads a remote parent and baggage from fetch `Headers` (an incoming request) without copying
 * them into a record first: this runs on every request.
 */
export function extractFromHeaders(headers: Headers, base: Context = context.active()): Context {
  try {
    return propagation.extract(base, headers, headersGetter);
  } catch {
    return base;
  }
}

/** Writes the context's `traceparent`, `tracestate` and `baggage` into `carrier`. */
export function injectContext(carrier: HeaderCarrier, from: Context = context.active()): void {
  try {
    propagation.inject(from, carrier);
  } catch {
    // Propagation is best effort: a failing propagator must not fail the call it decorates.
  }
}

/** Reads a remote parent and baggage from `carrier` into a new context based on `base`. */
export function extractContext(carrier: HeaderCarrier, base: Context = context.active()): Context {
  try {
    return propagation.extract(base, carrier, getter);
  } catch {
    return base;
  }
}

function findCaseInsensitive(carrier: HeaderCarrier, key: string): unknown {
  const wanted = key.toLowerCase();
  for (const name of Object.keys(carrier)) {
    if (name.toLowerCase() === wanted) return carrier[name];
  }
  return undefined;
}

function headerText(value: unknown): string | string[] | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (Array.isArray(value)) {
    const texts = value.map(headerText).filter((text) => typeof text === "string");
    return texts.length > 0 ? texts as string[] : undefined;
  }
  return undefined;
}
