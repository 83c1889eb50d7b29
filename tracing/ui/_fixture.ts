/**
 * Folder-private: OTLP JSON payloads for the page's tests. The hostile trace carries markup in
 * every place the page shows text; any of it running would open a dialog.
 */

/** Markup that must show as text. */
export const HOSTILE = {
  spanName: "<img src=x onerror=alert(1)>",
  attribute: "<script>alert(2)</script>",
  childName: '"><svg onload=alert(3)>',
  eventName: "<b onmouseover=alert(4)>hover</b>",
  statusMessage: "<i>boom</i>",
  logBody: "<script>alert(5)</script> from the log",
  service: "evil<svc>",
};

const HEX = "0123456789abcdef";

/** A random lowercase hex id of `length` digits. */
export function randomHex(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return [...bytes].map((b) => HEX[b % 16]).join("");
}

function ns(ms: number): string {
  return String(BigInt(Math.round(ms * 1000)) * 1000n);
}

const text = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** A root span with hostile text everywhere, a child that links back, and one ERROR. */
export function hostileTraceJson(traceId: string, nowMs = Date.now()): unknown {
  const start = nowMs - 200;
  return {
    resourceSpans: [{
      resource: { attributes: [text("service.name", HOSTILE.service)] },
      scopeSpans: [{
        scope: { name: "ui-test", version: "1" },
        spans: [
          {
            traceId,
            spanId: "a0000000000000a1",
            name: HOSTILE.spanName,
            kind: 2,
            startTimeUnixNano: ns(start),
            endTimeUnixNano: ns(start + 120),
            attributes: [text("note", HOSTILE.attribute), text(HOSTILE.attribute, "key too")],
            events: [{ timeUnixNano: ns(start + 10), name: HOSTILE.eventName, attributes: [] }],
            status: {},
          },
          {
            traceId,
            spanId: "a0000000000000a2",
            parentSpanId: "a0000000000000a1",
            name: HOSTILE.childName,
            kind: 1,
            startTimeUnixNano: ns(start + 20),
            endTimeUnixNano: ns(start + 90),
            attributes: [],
            links: [{ traceId, spanId: "a0000000000000a1", attributes: [] }],
            status: { code: 2, message: HOSTILE.statusMessage },
          },
        ],
      }],
    }],
  };
}

/** A log record of the hostile trace. */
export function hostileLogsJson(traceId: string, nowMs = Date.now()): unknown {
  return {
    resourceLogs: [{
      resource: { attributes: [text("service.name", HOSTILE.service)] },
      scopeLogs: [{
        logRecords: [{
          timeUnixNano: ns(nowMs - 150),
          severityText: "ERROR",
          body: { stringValue: HOSTILE.logBody },
          traceId,
          spanId: "a0000000000000a2",
        }],
      }],
    }],
  };
}

/** producer `POST /send` → `send q` (PRODUCER) → consumer `process q` (CONSUMER) after a wait. */
export function messagingTraceJson(traceId: string, queue: string, nowMs = Date.now()): unknown {
  const start = nowMs - 300;
  const messaging = [
    text("messaging.system", "rabbitmq"),
    text("messaging.destination.name", queue),
  ];
  const resource = (service: string) => ({ attributes: [text("service.name", service)] });
  return {
    resourceSpans: [
      {
        resource: resource("producer"),
        scopeSpans: [{
          scope: { name: "ui-test" },
          spans: [
            {
              traceId,
              spanId: "b0000000000000b1",
              name: "POST /send",
              kind: 2,
              startTimeUnixNano: ns(start),
              endTimeUnixNano: ns(start + 40),
              status: {},
            },
            {
              traceId,
              spanId: "b0000000000000b2",
              parentSpanId: "b0000000000000b1",
              name: `send ${queue}`,
              kind: 4,
              startTimeUnixNano: ns(start + 10),
              endTimeUnixNano: ns(start + 30),
              attributes: messaging,
              status: {},
            },
          ],
        }],
      },
      {
        resource: resource("consumer"),
        scopeSpans: [{
          scope: { name: "ui-test" },
          spans: [{
            traceId,
            spanId: "b0000000000000b3",
            parentSpanId: "b0000000000000b2",
            name: `process ${queue}`,
            kind: 5,
            startTimeUnixNano: ns(start + 80),
            endTimeUnixNano: ns(start + 140),
            attributes: messaging,
            status: {},
          }],
        }],
      },
    ],
  };
}
