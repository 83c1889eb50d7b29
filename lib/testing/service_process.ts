/**
 * Runs a service as a real `deno run` process for end-to-end tests, with the narrow permissions
 * its start task uses, on a free port (PORT=0), and collects its JSON log lines.
 */
import { fileURLToPath } from "node:url";
import { textLines } from "../text_lines.ts";

/** A running service process. */
export interface ServiceProcess {
  readonly name: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The process id, e.g. to read `/proc/<pid>/status`. */
  readonly pid: number;
  /** Every JSON log line so far. */
  readonly logs: readonly Record<string, unknown>[];
  /** Sends a signal and waits for the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number>;
}

/** Options of `startServiceProcess`. */
export interface ServiceProcessOptions {
  /** Service folder name: `user`, `order`, ... */
  service: string;
  /** Data directory the process may read and write. */
  dataDir: string;
  env?: Record<string, string>;
  /** Extra permission flags, e.g. `--allow-run`. */
  extraFlags?: string[];
  /** How long to wait for the "Listening" line. */
  startTimeoutMs?: number;
}

/** The repository root, from this file's location. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The permission flags every service runs with (the same as its start task). */
export function servicePermissions(dataDir: string): string[] {
  return [
    "--allow-net",
    "--allow-env",
    "--allow-sys=hostname",
    `--allow-read=${dataDir}`,
    `--allow-write=${dataDir}`,
  ];
}

/** Starts `<service>/main.ts` and resolves once it listens. */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...servicePermissions(options.dataDir),
      ...(options.extraFlags ?? []),
      `${options.service}/main.ts`,
    ],
    cwd: REPO_ROOT,
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: options.dataDir,
      // Deno's built-in telemetry reads the name at process start, so launchers must set it.
      OTEL_SERVICE_NAME: options.service,
      ...options.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  const logs: Record<string, unknown>[] = [];
  const rawLines: string[] = [];
  let onListening: (port: number) => void = () => {};
  const listening = new Promise<number>((resolve) => onListening = resolve);
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const line of textLines(stream)) {
      rawLines.push(line);
      const record = parseJson(line);
      if (record === undefined) continue;
      logs.push(record);
      if (record.msg === "Listening") onListening(Number(record.port));
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status.then(async (status) => {
    await pumps;
    return status.code;
  });

  const timeoutMs = options.startTimeoutMs ?? 20_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    listening,
    exited.then((code) => `exited with code ${code}`),
    new Promise<string>((resolve) => timer = setTimeout(() => resolve("timed out"), timeoutMs)),
  ]);
  clearTimeout(timer);
  if (typeof outcome === "string") {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await exited;
    throw new Error(
      `${options.service} did not start (${outcome}):\n${rawLines.slice(-20).join("\n")}`,
    );
  }

  const port = outcome;
  return {
    name: options.service,
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    logs,
    exited,
    stop: async (signal = "SIGTERM") => {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      return await exited;
    },
  };
}

function parseJson(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
