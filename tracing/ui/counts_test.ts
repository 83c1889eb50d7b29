import assert from "node:assert/strict";
import { makeSpan } from "../testing/span_fixture.ts";
import { createTestService } from "../testing/test_deps.ts";
import { countOf } from "./format.ts";

Deno.test("countOf() puts the noun in the number the count needs", () => {
  assert.equal(countOf(0, "error"), "0 errors");
  assert.equal(countOf(1, "span"), "1 span");
  assert.equal(countOf(2, "span"), "2 spans");
  assert.equal(countOf(1, "log record"), "1 log record");
  assert.equal(countOf(3, "match", "matches"), "3 matches");
});

Deno.test("the search and trace pages say '1 span' and '1 error', not '1 spans'", async () => {
  const service = createTestService();
  try {
    const span = makeSpan({
      service: "lonely",
      name: "GET /x",
      status: { code: 2, message: "no" },
    });
    service.store.writeSpans([span]);
    const text = async (path: string) => {
      const html = await (await service.query.request(path)).text();
      return html.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ");
    };
    for (const path of [`/trace/${span.traceId}`, "/search?service=lonely"]) {
      const page = await text(path);
      assert.match(page, /\b1 span\b/, path);
      assert.match(page, /\b1 error\b/, path);
      assert.doesNotMatch(page, /\b1 (spans|errors|traces)\b/, path);
    }
    assert.match(await text("/search?service=lonely"), /\b1 trace\b/);
  } finally {
    await service.close();
  }
});
