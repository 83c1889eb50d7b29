/**
 * `deno task dev`: runs every service of the repo with `--watch`, with the same permission flags as
 * its `start:<service>` task, in one log stream prefixed by service name. Ctrl-C stops them all
 * gracefully: SIGTERM runs each service's own shutdown; under `--watch` the watcher then stays
 * alive waiting for file changes, so once a service has logged that it stopped, its idle watcher
 * is killed. Anything still running after the deadline is killed too. Services log short
 * coloured lines here (LOG_FORMAT=pretty) unless LOG_FORMAT says otherwise.
 */
import { textLines } from "../lib/text_lines.ts";

/** Start order: the trace backend first, so the others export to it from their first span. */
const SERVICES = ["tracing", "user", "order", "producer", "consumer"];
const STOP_DEADLINE_MS = 15_000;
const COLORS = [36, 33, 35, 32, 34];
const encoder = new TextEncoder();

const tasks: Record<string, string> = JSON.parse(await Deno.readTextFile("deno.json")).tasks;
const services = SERVICES.filter((name) => tasks[`start:${name}`] !== undefined);
const width = Math.max(...services.map((name) => name.length));

function write(line: string): void {
  Deno.stdout.writeSync(encoder.encode(`${line}\n`));
}

/** `deno run <flags> x/main.ts` from the start task, with `--watch` added after `run`. */
function watchArgs(task: string): string[] {
  const words = task.trim().split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "run") {
    throw new Error(`Cannot run task "${task}" with --watch: expected "deno run ..."`);
  }
  return ["run", "--watch", ...words.slice(2)];
}

/** A service's own last words (JSON or pretty line), or its watcher's once the script ended. */
const FINISHED = /"msg":"Stopped"| Stopped$|Process finished/;

async function pipe(
  stream: ReadableStream<Uint8Array>,
  prefix: string,
  onLine: (line: string) => void,
): Promise<void> {
  for await (const line of textLines(stream)) {
    write(`${prefix}${line}`);
    onLine(line);
  }
}

let stopping = false;
const children = services.map((name, index) => {
  const color = COLORS[index % COLORS.length];
  const prefix = `\x1b[${color}m${name.padEnd(width)} |\x1b[0m `;
  const child = new Deno.Command(Deno.execPath(), {
    args: watchArgs(tasks[`start:${name}`]!),
    // Deno's built-in telemetry (OTEL_DENO=true) reads the name before our code runs.
    env: {
      OTEL_SERVICE_NAME: Deno.env.get("OTEL_SERVICE_NAME") ?? name,
      LOG_FORMAT: Deno.env.get("LOG_FORMAT") ?? "pretty",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const onLine = (line: string) => {
    if (stopping && FINISHED.test(line)) kill(child, "SIGKILL");
  };
  const done = Promise.all([pipe(child.stdout, prefix, onLine), pipe(child.stderr, prefix, onLine)])
    .then(() => child.status)
    .then((status) =>
      write(`${prefix}${stopping ? "stopped" : `exited with code ${status.code}`}`)
    );
  return { name, child, done };
});

write(`Started ${services.join(", ")}. Press Ctrl-C to stop.`);

function kill(child: Deno.ChildProcess, signal: Deno.Signal): boolean {
  try {
    child.kill(signal);
    return true;
  } catch {
    return false; // already gone
  }
}

function stopAll(): void {
  if (stopping) return;
  stopping = true;
  write("Stopping every service...");
  for (const { child } of children) kill(child, "SIGTERM");
  setTimeout(() => {
    for (const { name, child } of children) {
      if (kill(child, "SIGKILL")) {
        write(`${name} did not stop within ${STOP_DEADLINE_MS} ms; killed`);
      }
    }
  }, STOP_DEADLINE_MS).unref();
}
Deno.addSignalListener("SIGINT", stopAll);
Deno.addSignalListener("SIGTERM", stopAll);

await Promise.all(children.map(({ done }) => done));
Deno.exit(0);
