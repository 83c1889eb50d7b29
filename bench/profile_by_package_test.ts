import assert from "node:assert/strict";
import { packageName, selfTimeByPackage } from "./profile_by_package.ts";

Deno.test("packageName() names npm packages, repository folders, the runtime and GC", () => {
  const frame = (url: string, functionName = "f") => packageName({ url, functionName });
  const npm = "file:///root/.cache/deno/npm/registry.npmjs.org";
  assert.equal(
    frame(`${npm}/@opentelemetry/sdk-trace/3.1.0/dist/Span.mjs`),
    "@opentelemetry/sdk-trace",
  );
  assert.equal(frame(`${npm}/hono/4.13.19/dist/compose.js`), "hono");
  assert.equal(frame("file:///work/repo/lib/telemetry/setup.ts"), "lib/telemetry");
  assert.equal(frame("file:///work/repo/lib/sqlite.ts"), "lib/sqlite");
  assert.equal(frame("file:///work/repo/user/app.ts"), "user");
  assert.equal(frame("ext:deno_http/00_serve.ts"), "deno runtime");
  assert.equal(frame("", "(garbage collector)"), "garbage collection");
  assert.equal(frame("", "op_now"), "(native)");
});

Deno.test("selfTimeByPackage() charges each sample's time to its frame and drops idle", () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: "(idle)", url: "" } },
      { id: 2, callFrame: { functionName: "a", url: "file:///r/lib/telemetry/x.ts" } },
      { id: 3, callFrame: { functionName: "(garbage collector)", url: "" } },
    ],
    samples: [2, 1, 2, 3],
    timeDeltas: [10, 500, 30, 7],
  };
  assert.deepEqual(selfTimeByPackage(profile), [["lib/telemetry", 40], ["garbage collection", 7]]);
});
