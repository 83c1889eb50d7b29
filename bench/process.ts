/**
 * Starts the processes a benchmark needs: `deno run` with the narrow permissions of a service's
 * start task, pinned to one core with `taskset` where the machine allows, timed from spawn to
 * the first 200 on its health URL, with its resident memory readable from /proc.
 */
import { REPO_ROOT, servicePermissions } from "../lib/testing/service_process.ts";
import { textLines } from "../lib/text_lines.ts";
import { delay } from "../lib/testing/wait.ts";

export { delay };

/** A running benchmark process. */
export interface BenchProcess {
  readonly name: string;
  readonly pid: number;
  /** `http://127.0.0.1:<port>` of its HTTP API. */
  readonly url: string;
  /** Milliseconds from spawn to the first 200 on the health URL. */
  readonly readyMs: number;
  /** VmRSS in MB; NaN once the process is gone. */
  rssMb(): Promise<number>;
  /** CPU time used so far (user + system) in seconds; NaN once the process is gone. */
  cpuSeconds(): Promise<number>;
  /** The last lines it wrote, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
  stop(): Promise<number>;
}

/** How processes are placed on cores. */
export interface Cores {
  /** Whether `taskset` pins processes. */
  pinned: boolean;
  /** Core of the processes under test. */
  server: number;
  /** Core of the load generator and helpers. */
  load: number;
}

/** Pins to separate cores when there are at least two and `taskset` runs. */
export async function detectCores(): Promise<Cores> {
  const count = navigator.hardwareConcurrency;
  if (count < 2) return { pinned: false, server: 0, load: 0 };
  try {
    const { success } = await new Deno.Command("taskset", { args: ["-p", String(Deno.pid)] })
      .output();
    return { pinned: success, server: 0, load: 1 };
  } catch {
    return { pinned: false, server: 0, load: 1 };
  }
}

/** A port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** VmRSS of `pid` in MB, from /proc/<pid>/status; NaN when unreadable. */
export async function readRssMb(pid: number): Promise<number> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds (utime + stime) of `pid`, from /proc/<pid>/stat; NaN when unreadable. */
export async function readCpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** What to start. */
export interface StartOptions {
  name: string;
  /** Script path relative to the repository root. */
  script: string;
  /** Permission and other flags for `deno run`; default a service's start-task flags. */
  flags?: string[];
  env: Record<string, string>;
  /** Port of the HTTP API; the health URL is `http://127.0.0.1:<port><healthPath>`. */
  port: number;
  healthPath?: string;
  cores: Cores;
  core: number;
  timeoutMs?: number;
}

/** Starts a process and resolves once its health URL answered 200. */
export async function startProcess(options: StartOptions): Promise<BenchProcess> {
  const denoArgs = ["run", ...(options.flags ?? []), options.script];
  const pin = options.cores.pinned ? ["-c", String(options.core)] : undefined;
  const started = performance.now();
  const child = new Deno.Command(pin === undefined ? Deno.execPath() : "taskset", {
    args: pin === undefined ? denoArgs : [...pin, Deno.execPath(), ...denoArgs],
    cwd: REPO_ROOT,
    env: { HOST: "127.0.0.1", LOG_LEVEL: "warn", ...options.env, PORT: String(options.port) },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const line of textLines(stream)) {
      if (line === "") continue;
      lines.push(line);
      if (lines.length > 40) lines.shift();
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status.then(async (status) => {
    await pumps;
    return status.code;
  });
  let gone = false;
  void exited.then(() => gone = true);

  const url = `http://127.0.0.1:${options.port}`;
  const healthUrl = `${url}${options.healthPath ?? "/health"}`;
  const deadline = started + (options.timeoutMs ?? 30_000);
  let readyMs: number | undefined;
  while (readyMs === undefined && !gone && performance.now() < deadline) {
    try {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      if (response.status === 200) readyMs = performance.now() - started;
    } catch { /* not listening yet */ }
    if (readyMs === undefined) await delay(5);
  }
  const stop = async () => {
    if (!gone) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
    }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  if (readyMs === undefined) {
    await stop();
    throw new Error(`${options.name} did not answer 200 on ${healthUrl}:\n${lines.join("\n")}`);
  }
  return {
    name: options.name,
    pid: child.pid,
    url,
    readyMs,
    rssMb: () => gone ? Promise.resolve(Number.NaN) : readRssMb(child.pid),
    cpuSeconds: () => gone ? Promise.resolve(Number.NaN) : readCpuSeconds(child.pid),
    tail: () => lines.join("\n"),
    stop,
  };
}

/**
 * Starts `<service>/main.ts` with its start task's permissions and a temp data directory;
 * `root` runs it from another checkout (this one's import map and lockfile still apply);
 * `flags` adds to `deno run` (a preloaded module, `--cpu-prof`).
 */
export function startService(
  service: string,
  options: {
    env: Record<string, string>;
    dataDir: string;
    cores: Cores;
    core?: number;
    flags?: readonly string[];
    /** Another checkout to run the service from (`--compare`); default this one. */
    root?: string;
  },
): Promise<BenchProcess> {
  return startProcess({
    name: service,
    script: options.root === undefined
      ? `${service}/main.ts`
      : `${options.root}/${service}/main.ts`,
    flags: [...servicePermissions(options.dataDir), ...(options.flags ?? [])],
    env: { DATA_DIR: options.dataDir, OTEL_SERVICE_NAME: service, ...options.env },
    port: freePort(),
    cores: options.cores,
    core: options.core ?? options.cores.server,
  });
}

/** Samples the peak RSS of `processes` every `everyMs` until `stop()` is called. */
export function sampleRss(
  processes: readonly BenchProcess[],
  everyMs = 250,
): { stop(): Promise<number[]>; series(): number[][] } {
  const peaks = processes.map(() => 0);
  const series: number[][] = processes.map(() => []);
  let running = true;
  let wake: () => void = () => {};
  const loop = (async () => {
    while (running) {
      const values = await Promise.all(processes.map((p) => p.rssMb()));
      values.forEach((value, i) => {
        if (Number.isFinite(value)) {
          peaks[i] = Math.max(peaks[i]!, value);
          series[i]!.push(value);
        }
      });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, everyMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    stop: async () => {
      running = false;
      wake();
      await loop;
      return peaks;
    },
    series: () => series,
  };
}

/** Starts `bench/otlp_discard_sink.ts` on the load core; its `url` is the OTLP base URL. */
export function startDiscardSink(cores: Cores): Promise<BenchProcess> {
  return startProcess({
    name: "otlp sink",
    script: "bench/otlp_discard_sink.ts",
    flags: ["--allow-net=127.0.0.1", "--allow-env=PORT"],
    env: {},
    port: freePort(),
    cores,
    core: cores.load,
  });
}
