import assert from "node:assert/strict";
import type { LogRecord } from "../span_model.ts";
import { openTraceStore } from "./store.ts";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const HOUR_MS = 3_600_000;
const NOW_MS = 1_800_000_000_000;

function log(body: string, agoMs: number, extra: Partial<LogRecord> = {}): LogRecord {
  return {
    traceId: TRACE,
    spanId: "00f067aa0ba902b7",
    timeUnixNano: `${NOW_MS - agoMs}000000`,
    severityNumber: 9,
    severityText: "INFO",
    body: { stringValue: body },
    attributes: [],
    service: "order",
    ...extra,
  };
}

Deno.test("the store keeps log records under the spans' retention and finds them", async (t) => {
  const store = openTraceStore(":memory:");
  try {
    store.writeLogs([
      log("old", 80 * HOUR_MS),
      log("recent", HOUR_MS),
      log("no severity number", 2 * HOUR_MS, { severityNumber: 0, severityText: "warning" }),
      log("untraced", 3 * HOUR_MS, { traceId: "", spanId: "", service: "user" }),
    ]);

    await t.step("newest first, within the window asked for", () => {
      const all = store.findLogs({ limit: 10 });
      assert.deepEqual(all.map((r) => r.body.stringValue), [
        "recent",
        "no severity number",
        "untraced",
        "old",
      ]);
      const window = store.findLogs({ limit: 10, startUs: (NOW_MS - 2.5 * HOUR_MS) * 1000 });
      assert.deepEqual(window.map((r) => r.body.stringValue), ["recent", "no severity number"]);
    });

    await t.step("a record without a severity number is ranked by its text", () => {
      const warn = store.findLogs({ limit: 10, minSeverity: 13 });
      assert.deepEqual(warn.map((r) => r.body.stringValue), ["no severity number"]);
    });

    await t.step("by trace and by service", () => {
      assert.equal(store.findLogs({ limit: 10, traceId: TRACE }).length, 3);
      assert.deepEqual(
        store.findLogs({ limit: 10, service: "user" }).map((r) => r.body.stringValue),
        ["untraced"],
      );
      assert.equal(store.getTrace(TRACE), undefined, "logs alone make no trace");
    });

    await t.step("retention deletes records older than RETENTION_MAX_AGE_HOURS", () => {
      store.enforceRetention({ maxAgeMs: 72 * HOUR_MS, maxBytes: 1 << 30, nowMs: NOW_MS });
      const left = store.findLogs({ limit: 10 }).map((r) => r.body.stringValue);
      assert.deepEqual(left, ["recent", "no severity number", "untraced"]);
    });
  } finally {
    store.close();
  }
});
