/**
 * Runs `bench/load_generator.ts` (autocannon) as its own process on the load core and returns
 * its result. The process is killed if it outlives its bounded run by more than 30 s.
 */
import { REPO_ROOT } from "../lib/testing/service_process.ts";
import type { LoadResult, LoadSpec } from "./load_generator.ts";
import type { Cores } from "./process.ts";

export type { LoadResult, LoadSpec };

/** Runs one bounded load and resolves with what it measured. */
export async function runLoadProcess(spec: LoadSpec, cores: Cores): Promise<LoadResult> {
  const args = [
    "run",
    "--allow-net=127.0.0.1",
    "--allow-env",
    "--allow-sys",
    "--allow-read",
    "bench/load_generator.ts",
    JSON.stringify(spec),
  ];
  const command = cores.pinned
    ? new Deno.Command("taskset", {
      args: ["-c", String(cores.load), Deno.execPath(), ...args],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "piped",
    })
    : new Deno.Command(Deno.execPath(), { args, cwd: REPO_ROOT, stdout: "piped", stderr: "piped" });
  const child = command.spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, (spec.durationSeconds + 30) * 1000);
  const output = await child.output();
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(output.stdout).trim();
  const line = stdout.split("\n").at(-1) ?? "";
  if (!output.success || !line.startsWith("{")) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`The load generator failed (exit ${output.code}):\n${stderr}\n${stdout}`);
  }
  return JSON.parse(line) as LoadResult;
}
