/**
 * Test helpers for the packaging tests: start a service either as `deno run` with exactly the
 * permission flags its binary gets, or as the compiled binary itself, in a fresh working directory
 * (so `--allow-read=./data` means that directory's `data/`, as it does for a binary).
 */
import { join } from "node:path";
import { permissionFlags, readTasks, ROOT } from "./compile.ts";
import { type ServiceProcess, startProcess } from "../lib/testing/service_process.ts";

/** How to launch a service: a program and the arguments before the service's own. */
export interface Launcher {
  readonly kind: string;
  command(service: string): { program: string; args: string[] };
}

/** `deno run <the start task's flags> <svc>/main.ts`, the binary's permissions exactly. */
export async function denoRunLauncher(): Promise<Launcher> {
  const tasks = await readTasks();
  return {
    kind: "deno run with the binary's flags",
    command: (service) => ({
      program: Deno.execPath(),
      args: [
        "run",
        // Not a permission: only where to find the import map when run from another directory.
        `--config=${join(ROOT, "deno.json")}`,
        ...permissionFlags(tasks, service),
        join(ROOT, service, "main.ts"),
      ],
    }),
  };
}

/** The compiled binaries in `dir`. */
export function binaryLauncher(dir: string): Launcher {
  return {
    kind: "compiled binary",
    command: (service) => ({ program: join(dir, service), args: [] }),
  };
}

/** Runs a launcher with `args` to completion. */
export async function runOnce(
  launcher: Launcher,
  service: string,
  options: { args: string[]; cwd: string; env?: Record<string, string> },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { program, args } = launcher.command(service);
  const output = await new Deno.Command(program, {
    args: [...args, ...options.args],
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** Starts a service with the one test launcher; resolves once its `listeners` all listen. */
export function startService(
  launcher: Launcher,
  service: string,
  options: { cwd: string; env: Record<string, string>; listeners?: readonly string[] },
): Promise<ServiceProcess> {
  const { program, args } = launcher.command(service);
  return startProcess({
    name: `${service} (${launcher.kind})`,
    command: [program, ...args],
    cwd: options.cwd,
    env: options.env,
    ...(options.listeners === undefined ? {} : { listeners: options.listeners }),
  });
}

/** Lines that show a permission was missing: `--no-prompt` turns each into a NotCapable error. */
export function permissionProblems(lines: readonly string[]): string[] {
  return lines.filter((line) => /NotCapable|Requires \w+ access|PermissionDenied/.test(line));
}
