/**
 * `deno task dev`: runs every service of the repo with `--watch`, with the same permission flags as
 * its `start:<service>` task, in one log stream prefixed by service name. Services log short
 * coloured lines here (LOG_FORMAT=pretty) unless LOG_FORMAT says otherwise.
 *
 * Stopping (Ctrl-C, or SIGINT, SIGTERM or SIGHUP to this process): the services stop first, each
 * flushing its last spans to tracing, and tracing stops last, once they are gone, so it stores
 * everything they sent. A terminal's Ctrl-C signals the whole foreground process group at once, so
 * every service runs in a group of its own, out of its reach (scripts/dev_process.ts): this script
 * alone decides the order. Anything still running after a phase's deadline is killed.
 */
import { DevProcess } from "./dev_process.ts";
import { devEnv, parsePortOffset } from "./dev_env.ts";

/** Start order: the trace backend first, so the others export to it from their first span. */
const SERVICES = ["tracing", "user", "order", "producer", "consumer"] as const;
/** Stopped after every other service. */
const LAST = "tracing";
const STOP_DEADLINE_MS = 15_000;
const START_DEADLINE_MS = 60_000;
/** tracing's "Listening" line for its OTLP port, as JSON or as a pretty line. */
const OTLP_LISTENING = /Listening.*\bapi[=":]+otlp\b/;
const COLORS = [36, 33, 35, 32, 34];
const encoder = new TextEncoder();

const tasks: Record<string, string> = JSON.parse(await Deno.readTextFile("deno.json")).tasks;
const services = SERVICES.filter((name) => tasks[`start:${name}`] !== undefined);
const width = Math.max(...services.map((name) => name.length));
const portOffset = parsePortOffset(Deno.env.get("DEV_PORT_OFFSET"));

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

let stopping = false;
const processes: DevProcess[] = [];
function start(name: string, index: number): DevProcess {
  const prefix = `\x1b[${COLORS[index % COLORS.length]}m${name.padEnd(width)} |\x1b[0m `;
  const dev = new DevProcess(name, {
    args: watchArgs(tasks[`start:${name}`]!),
    env: devEnv(name, Deno.env.toObject(), portOffset),
    onLine: (line) => write(`${prefix}${line}`),
  });
  dev.done.then((code) => write(`${prefix}${stopping ? "stopped" : `exited with code ${code}`}`));
  return dev;
}

/** Stops `group` and waits for every member, killing what outlives the deadline. */
async function stopTogether(group: readonly DevProcess[]): Promise<void> {
  for (const dev of group) dev.stop();
  const deadline = setTimeout(() => {
    for (const dev of group) {
      if (dev.kill()) write(`${dev.name} did not stop within ${STOP_DEADLINE_MS} ms; killed`);
    }
  }, STOP_DEADLINE_MS);
  await Promise.all(group.map((dev) => dev.done));
  clearTimeout(deadline);
}

async function stopAll(signal: Deno.Signal): Promise<void> {
  if (stopping) return;
  stopping = true;
  write(`${signal}: stopping the services, then ${LAST}...`);
  await stopTogether(processes.filter((dev) => dev.name !== LAST));
  await stopTogether(processes.filter((dev) => dev.name === LAST));
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  Deno.addSignalListener(signal, () => void stopAll(signal));
}

// tracing first, and the others once its OTLP port listens, so that no service's first export
// (its start-up log records) finds nobody there and warns.
for (const [index, name] of services.entries()) {
  if (stopping) break;
  const dev = start(name, index);
  processes.push(dev);
  if (name !== LAST || await dev.waitForLine(OTLP_LISTENING, START_DEADLINE_MS) || stopping) {
    continue;
  }
  write(`${name} did not listen for OTLP within ${START_DEADLINE_MS} ms; starting the others`);
}

write(
  `Started ${processes.map((p) => `${p.name} (pid ${p.pid})`).join(", ")}. Press Ctrl-C to stop.`,
);

await Promise.all(processes.map((dev) => dev.done));
Deno.exit(0);
