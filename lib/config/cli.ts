/**
 * The few command-line flags every service and binary answers; everything else is configured by
 * environment variables. `--help` is generated from the service's declared variables.
 */
import { createEnvReader, type Env } from "./env_reader.ts";
import { type ServiceSpec, sharedVariables } from "./service_config.ts";
import { createLogger } from "../log.ts";
import { VERSION } from "../version.ts";

const encoder = new TextEncoder();
const USAGE_EXIT = 64; // EX_USAGE

/** What a command line asks for. */
export type CliAction = "run" | "help" | "version" | "healthcheck" | { unknown: string };

/** Reads the arguments: none means run the service. */
export function parseCliArgs(args: readonly string[]): CliAction {
  const [first] = args;
  if (first === undefined) return "run";
  if (args.length > 1) return { unknown: args.join(" ") };
  if (first === "--help" || first === "-h") return "help";
  if (first === "--version" || first === "-V") return "version";
  if (first === "--healthcheck") return "healthcheck";
  return { unknown: first };
}

/** The `--help` text: usage, then every variable with its default, grouped. */
export function helpText(spec: ServiceSpec): string {
  const rows = spec.groups.flatMap((group) => group.variables);
  const width = Math.max(...rows.map((row) => row.name.length));
  const defaultWidth = Math.max(...rows.map((row) => (row.default ?? "unset").length));
  const lines = [
    `${spec.service} ${VERSION}: ${spec.summary}`,
    "",
    `Usage: ${spec.service} [--help | --version | --healthcheck]`,
    "",
    "  --help         this text",
    "  --version      print the version",
    "  --healthcheck  GET http://<HOST or 127.0.0.1>:<PORT>/health; exit 0 when it answers ok",
    "",
    "Without flags the service starts, configured by these environment variables:",
  ];
  for (const group of spec.groups) {
    lines.push("", `${group.title}:`);
    for (const row of group.variables) {
      const fallback = (row.default ?? "unset").padEnd(defaultWidth);
      // The meaning is markdown for the README; a terminal shows it without the backticks.
      lines.push(`  ${row.name.padEnd(width)}  ${fallback}  ${row.meaning.replaceAll("`", "")}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The URL `--healthcheck` probes: this service's own `/health`, on loopback unless bound elsewhere. */
export function healthUrl(spec: ServiceSpec, env: Env): string {
  const read = createEnvReader(env);
  const shared = sharedVariables(spec.port);
  const port = read.value(shared.PORT);
  const host = read.value(shared.HOST);
  const wildcard = ["0.0.0.0", "::", "[::]"].includes(host);
  const address = wildcard ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  read.assertValid();
  return `http://${address}:${port}/health`;
}

/** GETs `/health`; true when it answers 200 with `"status":"ok"` within `timeoutMs`. */
export async function probeHealth(url: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.json().catch(() => undefined);
    return response.status === 200 && body?.status === "ok";
  } catch {
    return false;
  }
}

/**
 * Why DATA_DIR cannot be used with the write access this process has, or `undefined` when it can.
 * A compiled binary keeps the `--allow-write` it was built with, so say that instead of Deno's
 * "run again with the --allow-write flag", which a binary cannot follow.
 */
export function dataDirProblem(env: Env, access = Deno.permissions.querySync): string | undefined {
  const dataDir = createEnvReader(env).value(sharedVariables(0).DATA_DIR);
  if (access({ name: "write", path: dataDir }).state === "granted") return undefined;
  return `Invalid DATA_DIR "${dataDir}": expected ./data or a path inside it, relative to the ` +
    "working directory: the only place this service may write (its permissions are fixed at " +
    "compile time; run it from another directory or mount a volume at ./data to move its data)";
}

/**
 * Handles `--help`, `--version` and `--healthcheck` and exits; returns when the service should
 * start, after checking that it may write its DATA_DIR (exit 78 otherwise, like a bad config).
 * Called first thing in every `main.ts`, so a binary answers these before reading config.
 */
export async function handleCliFlags(spec: ServiceSpec, args = Deno.args): Promise<void> {
  const action = parseCliArgs(args);
  if (action === "run") {
    const problem = spec.dataDir ? dataDirProblem(Deno.env.toObject()) : undefined;
    if (problem === undefined) return;
    createLogger({ service: spec.service }).error("Invalid configuration", { problems: [problem] });
    Deno.exit(78);
  }
  if (action === "help") {
    Deno.stdout.writeSync(encoder.encode(helpText(spec)));
    Deno.exit(0);
  }
  if (action === "version") {
    Deno.stdout.writeSync(encoder.encode(`${spec.service} ${VERSION}\n`));
    Deno.exit(0);
  }
  if (action === "healthcheck") {
    let url: string;
    try {
      url = healthUrl(spec, Deno.env.toObject());
    } catch (error) {
      Deno.stderr.writeSync(encoder.encode(`${(error as Error).message}\n`));
      Deno.exit(1);
    }
    const ok = await probeHealth(url);
    Deno.stdout.writeSync(encoder.encode(`${url}: ${ok ? "ok" : "not healthy"}\n`));
    Deno.exit(ok ? 0 : 1);
  }
  const usage = `Unknown argument "${action.unknown}": expected --help, --version or --healthcheck`;
  Deno.stderr.writeSync(encoder.encode(`${usage}\n`));
  Deno.exit(USAGE_EXIT);
}
