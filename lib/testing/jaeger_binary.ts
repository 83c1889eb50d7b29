/**
 * Where the tests' Jaeger v2 binary is: built once per machine by `bash .ci/services` from the
 * module pinned in interop/jaeger/go.mod, into a cache path named after that version.
 */
import { join } from "node:path";
import { REPO_ROOT } from "./service_process.ts";

/** The Go module whose `cmd/jaeger` is the Jaeger v2 binary. */
export const JAEGER_MODULE = "github.com/jaegertracing/jaeger";

/**
 * Jaeger v2 releases by the version of the Go module they are tagged with (the module keeps its
 * v1 numbering); a pin in go.mod not listed here fails the test that reads it.
 */
export const JAEGER_RELEASES: Readonly<Record<string, string>> = { "1.75.0": "2.12.0" };

/** The module version pinned in interop/jaeger/go.mod, without the "v". */
export function pinnedJaegerModuleVersion(goMod: string): string {
  const escaped = JAEGER_MODULE.replaceAll(".", "\\.");
  const match = goMod.match(new RegExp(`^\\s*${escaped} v(\\d+\\.\\d+\\.\\d+)`, "m"));
  if (match === null) throw new Error(`interop/jaeger/go.mod does not require ${JAEGER_MODULE}`);
  return match[1]!;
}

/** The Jaeger release (e.g. "2.12.0") and the binary the tests run. */
export interface JaegerBuild {
  release: string;
  moduleVersion: string;
  /** JAEGER_BIN, or the cache path `.ci/services` builds into. */
  path: string;
}

/** Reads the pin and computes the binary's path the same way `.ci/services` does. */
export function jaegerBuild(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): JaegerBuild {
  const moduleVersion = pinnedJaegerModuleVersion(
    Deno.readTextFileSync(join(REPO_ROOT, "interop/jaeger/go.mod")),
  );
  const release = JAEGER_RELEASES[moduleVersion];
  if (release === undefined) {
    throw new Error(
      `interop/jaeger/go.mod pins ${JAEGER_MODULE} v${moduleVersion}: add its Jaeger release to JAEGER_RELEASES`,
    );
  }
  const cache = env.XDG_CACHE_HOME ?? join(env.HOME ?? "/root", ".cache");
  const path = env.JAEGER_BIN ?? join(cache, "tracing-demo", `jaeger-v${moduleVersion}`, "jaeger");
  return { release, moduleVersion, path };
}

/** The binary's path; throws naming the command that builds it when it is missing. */
export function requireJaegerBinary(build: JaegerBuild = jaegerBuild()): string {
  try {
    if (Deno.statSync(build.path).isFile) return build.path;
  } catch { /* missing: explained below */ }
  throw new Error(
    `Jaeger v${build.release} is not built at ${build.path}: run \`bash .ci/services\` ` +
      `(it builds ${JAEGER_MODULE}/cmd/jaeger v${build.moduleVersion} once per machine), or set JAEGER_BIN`,
  );
}
