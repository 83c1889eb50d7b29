/**
 * Test helpers for the packaging tests: start a service either as `deno run` with exactly the
 * permission flags its binary gets, or as the compiled binary itself, in a fresh working directory
 * (so `--allow-read=./data` means that directory's `data/`, as it does for a binary).
 */
import { join } from "node:path";
import { permissionFlags, readTasks, ROOT } from "./compile.ts";
import { textLines } from "../lib/text_lines.ts";

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

/** A running service. */
export interface Running {
  /** The query/HTTP port's URL. */
  readonly url: string;
  /** Every port it listens on, by `api` ("http" unless the log line names one). */
  readonly ports: Readonly<Record<string, number>>;
  /** Every output line so far. */
  readonly lines: readonly string[];
  stop(): Promise<number>;
}

/** Starts a service and resolves once it has logged `listeners` "Listening" lines. */
export async function startService(
  launcher: Launcher,
  service: string,
  options: { cwd: string; env: Record<string, string>; listeners?: number },
): Promise<Running> {
  const { program, args } = launcher.command(service);
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd,
    env: { PORT: "0", HOST: "127.0.0.1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const ports: Record<string, number> = {};
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const line of textLines(stream)) {
      lines.push(line);
      const record = line.startsWith("{") ? JSON.parse(line) : undefined;
      if (record?.msg === "Listening") ports[record.api ?? "http"] = Number(record.port);
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status.then(async (status) => (await pumps, status.code));
  const deadline = Date.now() + 30_000;
  let code: number | undefined;
  exited.then((value) => code = value);
  while (Object.keys(ports).length < (options.listeners ?? 1)) {
    if (code !== undefined || Date.now() > deadline) {
      if (code === undefined) child.kill("SIGKILL");
      await exited;
      throw new Error(`${service} (${launcher.kind}) did not start:\n${lines.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    url: `http://127.0.0.1:${ports.http}`,
    ports,
    lines,
    stop: async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      return await exited;
    },
  };
}

/** Lines that show a permission was missing: `--no-prompt` turns each into a NotCapable error. */
export function permissionProblems(lines: readonly string[]): string[] {
  return lines.filter((line) => /NotCapable|Requires \w+ access|PermissionDenied/.test(line));
}

/** POSTs JSON and returns status and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
