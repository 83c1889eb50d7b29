/**
 * Fault: hostile writes to the tracing service. Promises: with INGEST_TOKEN set every write
 * endpoint (OTLP, span API, seed aliases, alert rules) answers 401 without the token, the scheme
 * compared in any case, while reads stay open; a gzip bomb is refused with 413 as it inflates,
 * alone or several at once, and the service's memory stays bounded.
 *
 * Both need the ingest-safety branch (#14: bounded inflation, one write token), now merged.
 */
import { gzipBomb } from "../../lib/testing/gzip_bomb.ts";
import assert from "node:assert/strict";
import { reportFigures, residentBytes } from "./_load.ts";
import { startTracingOnPorts } from "./_tracing.ts";

const INGEST_SAFETY_MERGED = true;

const TOKEN = "s3cret-token";
const OTLP_JSON = JSON.stringify({
  resourceSpans: [{
    resource: { attributes: [{ key: "service.name", value: { stringValue: "faults" } }] },
    scopeSpans: [{
      scope: { name: "faults" },
      spans: [{
        traceId: "0af7651916cd43dd8448eb211c80319c",
        spanId: "b7ad6b7169203331",
        name: "GET /x",
        kind: 2,
        startTimeUnixNano: "1700000000000000000",
        endTimeUnixNano: "1700000000001000000",
      }],
    }],
  }],
});

async function status(url: string, init: RequestInit): Promise<number> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (response.status === 401) JSON.parse(text); // the JSON error, not an empty body
  return response.status;
}

Deno.test({
  name: "tracing with INGEST_TOKEN answers 401 to every write without it",
  ignore: !INGEST_SAFETY_MERGED,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "faults-token-" });
    const tracing = await startTracingOnPorts({ dataDir, env: { INGEST_TOKEN: TOKEN } });
    const json = { "content-type": "application/json" };
    const writes: [string, string, string][] = [
      ["POST", `${tracing.otlpUrl}/v1/traces`, OTLP_JSON],
      ["POST", `${tracing.queryUrl}/api/v1/spans`, '{"service":"x","name":"y"}'],
      ["POST", `${tracing.queryUrl}/start-trace`, "{}"],
      ["POST", `${tracing.queryUrl}/add-trace`, "{}"],
      ["POST", `${tracing.queryUrl}/stop-trace`, "{}"],
      [
        "POST",
        `${tracing.queryUrl}/api/v1/alerts/rules`,
        '{"service":"x","metric":"error_rate","threshold":1}',
      ],
      ["DELETE", `${tracing.queryUrl}/api/v1/alerts/rules/x`, ""],
    ];
    try {
      for (const [method, url, body] of writes) {
        const refused = await status(url, { method, headers: json, body: body || undefined });
        assert.equal(refused, 401, `${method} ${url} without the token`);
        const wrong = await status(url, {
          method,
          headers: { ...json, authorization: "Bearer wrong" },
          body: body || undefined,
        });
        assert.equal(wrong, 401, `${method} ${url} with a wrong token`);
      }
      const bearer = { ...json, authorization: `bearer ${TOKEN}` };
      assert.equal(
        await status(`${tracing.otlpUrl}/v1/traces`, {
          method: "POST",
          headers: bearer,
          body: OTLP_JSON,
        }),
        200,
      );
      assert.equal(
        await status(`${tracing.queryUrl}/api/v1/spans`, {
          method: "POST",
          headers: bearer,
          body: '{"service":"x","name":"y"}',
        }),
        201,
      );
      assert.equal(await status(`${tracing.queryUrl}/api/services`, {}), 200, "reads stay open");
    } finally {
      await tracing.process.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "tracing refuses gzip bombs with 413 as they inflate, its memory bounded",
  ignore: !INGEST_SAFETY_MERGED,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "faults-bomb-" });
    const tracing = await startTracingOnPorts({ dataDir });
    const bomb = await gzipBomb(512 * 1024 * 1024);
    const send = async () => {
      const response = await fetch(`${tracing.otlpUrl}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf", "content-encoding": "gzip" },
        body: bomb,
      });
      await response.body?.cancel();
      return { status: response.status, retryAfter: response.headers.get("retry-after") };
    };
    try {
      const before = await residentBytes(tracing.process.pid);
      assert.equal((await send()).status, 413);
      const concurrent = await Promise.all(Array.from({ length: 4 }, send));
      for (const answer of concurrent) {
        if (answer.status === 503) assert.ok(answer.retryAfter !== null, "503 without retry-after");
        else assert.equal(answer.status, 413);
      }
      const after = await residentBytes(tracing.process.pid);
      const ok = await fetch(`${tracing.otlpUrl}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: OTLP_JSON,
      });
      await ok.body?.cancel();
      assert.equal(ok.status, 200, "the service still takes exports");
      reportFigures("gzip_bomb", {
        bomb_bytes: bomb.length,
        inflates_to_bytes: 512 * 1024 * 1024,
        concurrent: concurrent.map((a) => a.status),
        rss_growth_mb: Math.round((after - before) / 1024 / 102.4) / 10,
      });
      assert.ok(after - before < 128 * 1024 * 1024, `RSS ${before} -> ${after}`);
    } finally {
      await tracing.process.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
