/**
 * The one launcher of real processes for tests: a service as `deno run` with the narrow
 * permissions of its start task (or any command, such as a compiled binary), on free ports
 * (PORT=0), resolved once every listener it should open has logged "Listening".
 */
import { fileURLToPath } from "node:url";
import { textLines } from "../text_lines.ts";

/** A running process. */
export interface ServiceProcess {
  readonly name: string;
  /** `http://127.0.0.1:<port>` of its main ("http") listener. */
  readonly url: string;
  readonly port: number;
  /** Every port it listens on, by the `api` its "Listening" line names ("http" when none). */
  readonly ports: Readonly<Record<string, number>>;
  /** The process id, e.g. to read `/proc/<pid>/status`. */
  readonly pid: number;
  /** Every JSON log line so far. */
  readonly logs: readonly Record<string, unknown>[];
  /** Every output line so far, JSON or not. */
  readonly lines: readonly string[];
  /** Sends a signal (default SIGTERM) and waits for the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number>;
}

/** Options of `startProcess`. */
export interface ProcessOptions {
  /** Used in messages. */
  name: string;
  /** The program and its arguments. */
  command: readonly [string, ...string[]];
  cwd?: string;
  /** The whole environment besides PORT=0 and HOST=127.0.0.1 (which it may override). */
  env?: Record<string, string>;
  /** Passes none of the test's own variables but what Deno needs to find its cache. */
  clearEnv?: boolean;
  /** The `api` names of the listeners to wait for; default `["http"]`. */
  listeners?: readonly string[];
  /** How long to wait for the listeners. */
  startTimeoutMs?: number;
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
  /** Passes none of the test's own variables but what Deno needs to find its cache. */
  clearEnv?: boolean;
  /** The `api` names of the listeners to wait for; default `["http"]`. */
  listeners?: readonly string[];
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

/** Starts `<service>/main.ts` with its start task's permissions; resolves once it listens. */
export function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  return startProcess({
    name: options.service,
    command: [
      Deno.execPath(),
      "run",
      ...servicePermissions(options.dataDir),
      ...(options.extraFlags ?? []),
      `${options.service}/main.ts`,
    ],
    cwd: REPO_ROOT,
    env: {
      DATA_DIR: options.dataDir,
      // Deno's built-in telemetry reads the name at process start, so launchers must set it.
      OTEL_SERVICE_NAME: options.service,
      ...options.env,
    },
    ...(options.clearEnv === undefined ? {} : { clearEnv: options.clearEnv }),
    ...(options.listeners === undefined ? {} : { listeners: options.listeners }),
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
  });
}

/** Starts `command` and resolves once each of its `listeners` logged "Listening". */
export async function startProcess(options: ProcessOptions): Promise<ServiceProcess> {
  const [program, ...args] = options.command;
  const child = new Deno.Command(program, {
    args,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    clearEnv: options.clearEnv ?? false,
    env: {
      ...(options.clearEnv ? denoEnv() : {}),
      PORT: "0",
      HOST: "127.0.0.1",
      ...options.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  const wanted = options.listeners ?? ["http"];
  const logs: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const ports: Record<string, number> = {};
  let onListening: () => void = () => {};
  const listening = new Promise<void>((resolve) => onListening = resolve);
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const line of textLines(stream)) {
      lines.push(line);
      const record = parseJson(line);
      if (record === undefined) continue;
      logs.push(record);
      if (record.msg !== "Listening") continue;
      ports[typeof record.api === "string" ? record.api : "http"] = Number(record.port);
      if (wanted.every((api) => ports[api] !== undefined)) onListening();
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status.then(async (status) => {
    await pumps;
    return status.code;
  });

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    listening.then(() => undefined),
    exited.then((code) => `exited with code ${code}`),
    new Promise<string>((resolve) => timer = setTimeout(() => resolve("timed out"), timeoutMs)),
  ]);
  clearTimeout(timer);
  if (outcome !== undefined) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await exited;
    throw new Error(`${options.name} did not start (${outcome}):\n${lines.slice(-20).join("\n")}`);
  }

  const port = ports[wanted[0]!]!;
  return {
    name: options.name,
    url: `http://127.0.0.1:${ports.http ?? port}`,
    port: ports.http ?? port,
    ports,
    pid: child.pid,
    logs,
    lines,
    exited,
    stop: async (signal = "SIGTERM") => {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      return await exited;
    },
  };
}

/** The variables by which `deno` finds its cache and compile runtime, as the test has them. */
function denoEnv(): Record<string, string> {
  const names = ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME", "DENORT_BIN", "NO_COLOR"];
  return Object.fromEntries(
    names.flatMap((name) => {
      const value = Deno.env.get(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

function parseJson(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** Services a test starts with one shared env and data dir, stopped together. */
export class ServiceGroup {
  readonly #started: ServiceProcess[] = [];
  readonly #dataDir: string;
  readonly #env: Record<string, string>;

  constructor(options: { dataDir: string; env: Record<string, string> }) {
    this.#dataDir = options.dataDir;
    this.#env = options.env;
  }

  /** Starts `service` with the group's env plus `extra`. */
  async start(service: string, extra: Record<string, string> = {}): Promise<ServiceProcess> {
    const process = await startServiceProcess({
      service,
      dataDir: this.#dataDir,
      env: { ...this.#env, ...extra },
    });
    this.#started.push(process);
    return process;
  }

  /** Stops every started service (SIGTERM) and returns their exit codes, in start order. */
  stopAll(): Promise<number[]> {
    return Promise.all(this.#started.map((process) => process.stop()));
  }
}
