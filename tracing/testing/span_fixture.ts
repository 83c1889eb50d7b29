/** Folder-private: builds stored spans for unit tests. */
import type { SpanRecord } from "../span_model.ts";

/** A span with sensible defaults; `startMs` and `durationMs` set its times. */
export function makeSpan(
  overrides: Partial<SpanRecord> & { startMs?: number; durationMs?: number } = {},
): SpanRecord {
  const { startMs = Date.now(), durationMs = 5, ...rest } = overrides;
  const start = BigInt(Math.round(startMs * 1000)) * 1000n;
  return {
    traceId: crypto.randomUUID().replaceAll("-", ""),
    spanId: crypto.randomUUID().replaceAll("-", "").slice(0, 16),
    parentSpanId: "",
    traceState: "",
    flags: 1,
    name: "op",
    kind: 2,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + BigInt(Math.round(durationMs * 1000)) * 1000n),
    attributes: [],
    events: [],
    links: [],
    status: { code: 0, message: "" },
    service: "svc",
    resource: [{ key: "service.name", value: { stringValue: rest.service ?? "svc" } }],
    scope: { name: "test", version: "" },
    ...rest,
  };
}

/** A call from service `parent` to service `child` at `startMs`: a root span and its child. */
export function makeCall(parent: string, child: string, startMs: number): SpanRecord[] {
  const root = makeSpan({ service: parent, startMs });
  return [
    root,
    makeSpan({ service: child, traceId: root.traceId, parentSpanId: root.spanId, startMs }),
  ];
}
