/** `load/main.ts` as its own process, as `deno task load` runs it, for tests that need traffic. */
import { REPO_ROOT } from "./service_process.ts";

/** What the load generator printed and how it ended. */
export interface LoadOutput {
  code: number;
  /** stdout: the summary table. */
  summary: string;
  /** stderr: the start line and the progress lines. */
  progress: string;
}

/** The running load generator. */
export class LoadProcess {
  readonly #child: Deno.ChildProcess;
  readonly #output: Promise<[string, string]>;

  /** Starts it with `args` (its command-line options) and `env` on top of this process's. */
  constructor(args: readonly string[], env: Record<string, string>) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--allow-net",
        "--allow-env",
        "--allow-sys=hostname",
        "load/main.ts",
        ...args,
      ],
      cwd: REPO_ROOT,
      env,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const text = (stream: ReadableStream<Uint8Array>) => new Response(stream).text();
    this.#output = Promise.all([text(this.#child.stdout), text(this.#child.stderr)]);
  }

  /** Waits until it ends by itself (its `--duration`). */
  async finished(): Promise<LoadOutput> {
    const [{ code }, [summary, progress]] = await Promise.all([this.#child.status, this.#output]);
    return { code, summary, progress };
  }

  /** Stops it as Ctrl-C would: it prints its summary and exits. */
  stop(): Promise<LoadOutput> {
    try {
      this.#child.kill("SIGINT");
    } catch {
      // Already ended by its --duration.
    }
    return this.finished();
  }
}
