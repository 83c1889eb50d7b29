/**
 * Scenario 7: what tracing adds to GET /users/:username in-process (`app.request()`), as the
 * process's CPU time per request, in a child process pinned to the server core. No HTTP server
 * and no load generator: the span model, the SERVER middleware, the encoding and the export (to a
 * discard endpoint in the same process), each variant beside the others, repeats interleaved.
 */
import { REPO_ROOT } from "../lib/testing/service_process.ts";
import type { BenchContext } from "./context.ts";
import { type InprocessResult, type InprocessSpec, RESULT } from "./inprocess_runner.ts";
import { keyFor } from "./results.ts";

const SCENARIO = "7 in-process GET /users/:username";
const BASELINE = "untraced";

/** Runs scenario 7, recording CPU per request with the ratio to untraced of the same repeat. */
export async function runInprocessScenario(ctx: BenchContext): Promise<void> {
  ctx.progress(`Scenario ${SCENARIO}`);
  const spec: InprocessSpec = {
    requests: ctx.settings.inprocessRequests,
    repeats: ctx.settings.repeats,
    compare: ctx.settings.compare,
  };
  const args = ["run", "--allow-all", "bench/inprocess_runner.ts", JSON.stringify(spec)];
  const pinned = ctx.cores.pinned;
  const output = await new Deno.Command(pinned ? "taskset" : Deno.execPath(), {
    args: pinned ? ["-c", String(ctx.cores.server), Deno.execPath(), ...args] : args,
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (output.code !== 0) {
    throw new Error(`The in-process runner failed:\n${new TextDecoder().decode(output.stderr)}`);
  }
  // stdout carries the "as shipped" variant's request lines; results come on stderr.
  const lines = new TextDecoder().decode(output.stderr).split("\n")
    .filter((line) => line.startsWith(RESULT));
  for (const line of lines) {
    const result = JSON.parse(line.slice(RESULT.length)) as InprocessResult;
    const ratioTo = result.variant === BASELINE ? undefined : BASELINE;
    ctx.results.add(
      keyFor(SCENARIO, result.variant)("CPU per request", "µs"),
      result.cpuMicrosPerRequest,
      { ratioTo },
    );
  }
}
