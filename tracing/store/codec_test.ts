import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { makeSpan } from "../testing/span_fixture.ts";
import type { KeyValue } from "../span_model.ts";
import { spanColumns } from "./codec.ts";
import { openTraceStore } from "./store.ts";

const s = (stringValue: string) => ({ stringValue });

Deno.test("spanColumns() stores attributes once when tags give them back", () => {
  const span = makeSpan({
    attributes: [
      { key: "http.route", value: s("/a") },
      { key: "port", value: { intValue: "3001" } },
      { key: "ok", value: { boolValue: false } },
      { key: "ratio", value: { doubleValue: 0.1 } },
      { key: "raw", value: { bytesValue: "AAE=" } },
    ],
  });
  const { tags, data } = spanColumns(span);
  assert.equal(tags, '{"http.route":"/a","port":"3001","ok":"false","ratio":"0.1","raw":"AAE="}');
  assert.equal(JSON.parse(data).attributes, undefined);
  assert.equal(JSON.parse(data).types, "sibdy");
});

Deno.test("openTraceStore() gives back every attribute shape exactly", async (t) => {
  const cases: Record<string, KeyValue[]> = {
    "scalars of every type": [
      { key: "a", value: s("x") },
      { key: "b", value: { intValue: "-7" } },
      { key: "c", value: { boolValue: true } },
      { key: "d", value: { doubleValue: -0.5 } },
      { key: "e", value: { doubleValue: 1e300 } },
      { key: "f", value: { bytesValue: "AQI=" } },
      { key: "g", value: s("") },
    ],
    "an array and a kvlist": [
      { key: "list", value: { arrayValue: { values: [s("a"), { intValue: "1" }] } } },
      { key: "map", value: { kvlistValue: { values: [{ key: "k", value: s("v") }] } } },
    ],
    "an empty value": [{ key: "empty", value: {} }],
    "a repeated key": [{ key: "k", value: s("1") }, { key: "k", value: s("2") }],
    "keys that a parsed object reorders": [
      { key: "b", value: s("1") },
      { key: "10", value: s("2") },
      { key: "2", value: s("3") },
    ],
    "an attribute named error": [{ key: "error", value: { boolValue: false } }],
    "a __proto__ key": [{ key: "__proto__", value: s("x") }, { key: "a", value: s("y") }],
    "a non-finite double": [{ key: "nan", value: { doubleValue: Number.NaN } }],
  };
  const store = openTraceStore(":memory:");
  try {
    for (const [name, attributes] of Object.entries(cases)) {
      await t.step(name, () => {
        for (const code of [0, 2]) {
          const span = makeSpan({ attributes, status: { code, message: "" } });
          store.writeSpans([span]);
          // What a JSON round trip of the whole span gives is what the store must give.
          assert.deepEqual(
            store.getTrace(span.traceId)?.spans,
            [JSON.parse(JSON.stringify(span))],
          );
        }
      });
    }
  } finally {
    store.close();
  }
});

Deno.test("openTraceStore() reads schema 2 rows that keep their attributes in data", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/traces.db`;
  try {
    const span = makeSpan({ attributes: [{ key: "http.route", value: s("/a") }] });
    const store = openTraceStore(path);
    store.writeSpans([span]);
    store.close();
    // A schema 2 row: attributes in `data`, no `types`, and the index schema 3 dropped.
    const db = new DatabaseSync(path);
    const { data } = db.prepare("SELECT data FROM spans").get() as { data: string };
    const old = { ...JSON.parse(data), attributes: span.attributes, types: undefined };
    db.prepare("UPDATE spans SET data = ?").run(JSON.stringify(old));
    db.exec("CREATE INDEX spans_by_service ON spans (service, start_us)");
    db.exec("PRAGMA user_version = 2");
    db.close();
    const reopened = openTraceStore(path);
    try {
      assert.deepEqual(reopened.getTrace(span.traceId)?.spans, [span]);
      assert.deepEqual(reopened.findTraceIds({ service: "svc", limit: 5 }), [span.traceId]);
    } finally {
      reopened.close();
    }
    const upgraded = new DatabaseSync(path);
    const index = upgraded.prepare("SELECT name FROM sqlite_master WHERE name = ?")
      .get("spans_by_service");
    upgraded.close();
    assert.equal(index, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
