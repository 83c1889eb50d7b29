/**
 * One service under `deno task dev`: a `deno run --watch` child whose output is prefixed with its
 * name, and which stops gracefully when asked.
 *
 * It runs in a process group of its own, so a terminal's Ctrl-C (SIGINT to the whole foreground
 * group) reaches only the dev script, which stops the services in order. Had the signal reached
 * them too, the script's SIGTERM would come second, and Deno's watcher ends a script that is
 * still stopping at a second signal: a consumer lost its last lines and spans that way. It is
 * started with node:child_process, whose `detached` calls setsid; Deno.Command's `detached` keeps
 * the parent's group in Deno 2.9.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Readable } from "node:stream";
import { textLines } from "../lib/text_lines.ts";

/** A service's own last words (JSON or pretty line), or its watcher's once the script ended. */
const FINISHED = /"msg":"Stopped"| Stopped$|Process finished/;

/** How a dev process is started. */
export interface DevProcessOptions {
  /** `deno` arguments: `run --watch <flags> <service>/main.ts`. */
  args: readonly string[];
  /** Added to the inherited environment. */
  env: Readonly<Record<string, string>>;
  /** Every line it writes, on stdout or stderr, as it arrives. */
  onLine(line: string): void;
}

/** A running service under `deno task dev`. */
export class DevProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (null when killed by a signal) once its output has closed. */
  readonly done: Promise<number | null>;
  readonly #child: ChildProcess;
  #stopping = false;
  #finished = false;
  #exited = false;
  readonly #waiting = new Set<{ pattern: RegExp; resolve: (seen: boolean) => void }>();

  constructor(name: string, options: DevProcessOptions) {
    this.name = name;
    this.#child = spawn(Deno.execPath(), [...options.args], {
      env: { ...Deno.env.toObject(), ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.pid = this.#child.pid ?? -1;
    // Deno's ChildProcess sets signalCode on kill() and ignores a second kill(), so signals go
    // through Deno.kill and exits are tracked here.
    this.#child.once("exit", () => this.#exited = true);
    const closed = new Promise<number | null>((resolve) => {
      this.#child.once("close", (code: number | null) => resolve(code));
      this.#child.once("error", () => resolve(null));
    });
    const onLine = (line: string) => {
      options.onLine(line);
      for (const waiter of this.#waiting) {
        if (waiter.pattern.test(line)) waiter.resolve(true);
      }
      if (!FINISHED.test(line)) return;
      // Under --watch the watcher stays alive for file changes once the service has stopped.
      this.#finished = true;
      if (this.#stopping) this.kill();
    };
    const pipes = [this.#child.stdout, this.#child.stderr].map(async (stream) => {
      if (stream === null) return;
      const web = Readable.toWeb(stream) as ReadableStream<Uint8Array>;
      for await (const line of textLines(web)) onLine(line);
    });
    this.done = Promise.all(pipes).then(() => closed);
    this.done.then(() => {
      for (const waiter of this.#waiting) waiter.resolve(false);
    });
  }

  /** Resolves true once it writes a line matching `pattern`, false if it ends or `timeoutMs` passes. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter = {
        pattern,
        resolve: (seen: boolean) => {
          clearTimeout(timer);
          this.#waiting.delete(waiter);
          resolve(seen);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.#waiting.add(waiter);
    });
  }

  /** Runs its graceful stop (SIGTERM); a watcher left idle by a finished service is killed. */
  stop(): void {
    this.#stopping = true;
    if (this.#finished) this.kill();
    else this.#signal("SIGTERM");
  }

  /** Kills it at once; false when it was already gone. */
  kill(): boolean {
    return this.#signal("SIGKILL");
  }

  #signal(signal: "SIGTERM" | "SIGKILL"): boolean {
    if (this.#exited) return false;
    try {
      Deno.kill(this.pid, signal);
      return true;
    } catch {
      return false; // already gone
    }
  }
}
