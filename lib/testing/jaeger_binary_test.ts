import assert from "node:assert/strict";
import {
  JAEGER_RELEASES,
  jaegerBuild,
  pinnedJaegerModuleVersion,
  requireJaegerBinary,
} from "./jaeger_binary.ts";

Deno.test("pinnedJaegerModuleVersion() reads the version go.mod requires", () => {
  const goMod = "module x\n\nrequire (\n\tgithub.com/jaegertracing/jaeger v1.75.0 // indirect\n)\n";
  assert.equal(pinnedJaegerModuleVersion(goMod), "1.75.0");
  assert.throws(() => pinnedJaegerModuleVersion("module x\n"), /does not require/);
});

Deno.test("jaegerBuild() names a known Jaeger release for the pin in interop/jaeger/go.mod", () => {
  const build = jaegerBuild({ HOME: "/home/dev" });
  assert.equal(build.release, JAEGER_RELEASES[build.moduleVersion]);
  assert.equal(
    build.path,
    `/home/dev/.cache/tracing-demo/jaeger-v${build.moduleVersion}/jaeger`,
    "the path .ci/services builds into",
  );
  assert.equal(jaegerBuild({ JAEGER_BIN: "/opt/jaeger" }).path, "/opt/jaeger");
  assert.match(jaegerBuild({ XDG_CACHE_HOME: "/c" }).path, /^\/c\/tracing-demo\//);
});

Deno.test("requireJaegerBinary() names the command that builds a missing binary", () => {
  const missing = { ...jaegerBuild(), path: "/nonexistent/jaeger" };
  assert.throws(
    () => requireJaegerBinary(missing),
    (error: Error) =>
      error.message.includes("bash .ci/services") && error.message.includes("/nonexistent/jaeger"),
  );
});
