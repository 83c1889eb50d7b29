/**
 * Random spans for the serializer's property tests: every attribute value type (arrays, empty and
 * null values, nested lists, bytes), events, links, trace state, status, dropped counts, several
 * resources and scopes, non-ASCII and long text, and times past 2^53 ns. Seeded, so a failing
 * case replays.
 */
import type { Attributes, HrTime, Link, SpanContext } from "@opentelemetry/api";
import { SpanKind, SpanStatusCode, TraceFlags } from "@opentelemetry/api";
import type { InstrumentationScope } from "@opentelemetry/core";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace";
import { BYTE_HEX } from "../hex.ts";

/** A small seeded generator (mulberry32), so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEXTS = [
  "",
  "a",
  "GET /users/:username",
  "héllo wörld",
  "数据库查询",
  "emoji 🚀 and more 🧪",
  "lone \ud800 surrogate",
  "x".repeat(42),
  "y".repeat(43),
  "z".repeat(200) + "é",
  "long ascii ".repeat(30),
];

function spanFactory(next: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const int = (limit: number) => Math.floor(next() * limit);
  const hex = (bytes: number) => {
    let text = "";
    for (let index = 0; index < bytes; index++) text += BYTE_HEX[int(256)];
    return text;
  };
  const scalar = (): unknown =>
    pick([
      () => pick(TEXTS),
      () => next() < 0.5,
      () => int(1000),
      () => -int(2 ** 31) - 1,
      () => pick([2 ** 32, 2 ** 53 - 1, -(2 ** 53), 2 ** 60, -(2 ** 62), 0, -0]),
      () => next() * 1e6 - 5e5,
      () => pick([Number.NaN, Infinity, -Infinity, 2 ** 64, 0.1]),
      () => new Uint8Array(int(20)).map(() => int(256)),
      () => pick([null, undefined]),
    ])();
  const value = (): unknown =>
    pick([
      scalar,
      scalar,
      () => [],
      () => Array.from({ length: 1 + int(4) }, () => pick(TEXTS)),
      () => Array.from({ length: 1 + int(4) }, () => int(2 ** 40) - 2 ** 39),
      () => Array.from({ length: 1 + int(4) }, () => next() < 0.5),
      () => Array.from({ length: 1 + int(4) }, scalar),
      () => ({ nested: pick(TEXTS), deeper: { n: int(9) } }),
    ])();
  const attributes = (): Attributes => {
    const result: Record<string, unknown> = {};
    for (let index = int(6); index > 0; index--) result[`${pick(TEXTS)}.${index}`] = value();
    return result as Attributes;
  };
  const time =
    (): HrTime => [pick([0, 1, int(2 ** 31), 1_764_000_000 + int(1e8), int(2 ** 34)]), int(1e9)];
  const traceState = () => {
    const text = `vendor=${int(99)},k=v`;
    return next() < 0.3 ? { serialize: () => text } : undefined;
  };
  const context = (isRemote?: boolean): SpanContext => ({
    traceId: hex(16),
    spanId: hex(8),
    traceFlags: pick([TraceFlags.NONE, TraceFlags.SAMPLED, 0xff]),
    isRemote,
    traceState: traceState() as SpanContext["traceState"],
  });
  const event = (): TimedEvent => ({
    name: pick(TEXTS),
    time: time(),
    attributes: next() < 0.7 ? attributes() : undefined,
    droppedAttributesCount: pick([undefined, 0, int(5)]),
  });
  const link = (): Link => ({
    context: context(pick([true, false, undefined])),
    attributes: next() < 0.6 ? attributes() : undefined,
    droppedAttributesCount: pick([undefined, 0, int(300)]),
  });
  return (
    resource: Resource,
    scope: InstrumentationScope,
    trace: SpanContext | undefined,
  ): ReadableSpan => {
    const own = context();
    const spanContext = trace === undefined ? own : { ...own, traceId: trace.traceId };
    const parent = trace === undefined && next() < 0.5 ? undefined : context(pick([true, false]));
    return {
      name: pick(TEXTS),
      kind: pick([
        SpanKind.INTERNAL,
        SpanKind.SERVER,
        SpanKind.CLIENT,
        SpanKind.PRODUCER,
        SpanKind.CONSUMER,
      ]),
      spanContext: () => spanContext,
      parentSpanContext: parent,
      startTime: time(),
      endTime: time(),
      status: pick([
        { code: SpanStatusCode.UNSET },
        { code: SpanStatusCode.OK },
        { code: SpanStatusCode.ERROR, message: pick(TEXTS) },
      ]),
      attributes: attributes(),
      links: Array.from({ length: pick([0, 0, 1, 3]) }, link),
      events: Array.from({ length: pick([0, 0, 1, 4]) }, event),
      duration: [0, 0],
      ended: true,
      resource,
      instrumentationScope: scope,
      droppedAttributesCount: pick([0, 0, int(1000)]),
      droppedEventsCount: pick([0, int(200)]),
      droppedLinksCount: pick([0, int(70000)]),
    };
  };
}

/** A random batch: several resources and scopes, spans of one trace next to each other. */
export function randomSpans(seed: number, count: number): ReadableSpan[] {
  const next = random(seed);
  const makeSpan = spanFactory(next);
  const texts = (n: number) => TEXTS[Math.floor(next() * TEXTS.length)]! + n;
  const resources = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, n) => ({
    attributes: { "service.name": texts(n), "host.name": "höst", pid: n, ok: true },
    asyncAttributesPending: false,
    schemaUrl: next() < 0.5 ? "https://opentelemetry.io/schemas/1.30.0" : undefined,
  } as unknown as Resource));
  const scopes = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, n) => ({
    name: texts(n),
    version: next() < 0.5 ? "1.2.3" : undefined,
    schemaUrl: next() < 0.3 ? "https://example.com/schema" : undefined,
  }));
  const spans: ReadableSpan[] = [];
  let previous: ReadableSpan | undefined;
  for (let index = 0; index < count; index++) {
    const resource = resources[Math.floor(next() * resources.length)]!;
    const scope = scopes[Math.floor(next() * scopes.length)]!;
    const sameTrace = previous !== undefined && next() < 0.5;
    previous = makeSpan(resource, scope, sameTrace ? previous!.spanContext() : undefined);
    spans.push(previous);
  }
  return spans;
}
