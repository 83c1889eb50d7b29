/**
 * `deno task compile [target] [service...]`: builds `dist/<service>` for every service (or the
 * ones named; `dist/<target>/<service>` for another `deno compile --target`), each with the flags of
 * its `start:<service>` task in deno.json, so a binary behaves exactly like `deno task start:<x>`.
 *
 * deno compile needs a base runtime ("denort") for the target, which it downloads from
 * dl.deno.land. Set DENORT_BIN=/path/to/denort to use a local one; without either, the task fails
 * and says how to get one.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Every service that gets a binary, in build order. */
export const SERVICES = ["user", "order", "producer", "consumer", "tracing"] as const;

/** The targets `deno compile --target` accepts. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/**
 * Files of npm packages left out of the binaries: deno compile 2.9 overflows its stack on this
 * 2 MB test fixture of bintrees (a prom-client dependency), denoland/deno#36746. Paths are
 * relative to DENO_DIR, where the packages are cached.
 */
const EXCLUDED_FROM_BINARY = ["npm/registry.npmjs.org/bintrees/1.0.2/test"];

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Raised when no base runtime can be had for the target; the message says how to get one. */
export class RuntimeUnavailableError extends Error {
  constructor(target: string, detail: string) {
    const version = Deno.version.deno;
    const url = `https://dl.deno.land/release/v${version}/denort-${target}.zip`;
    super(
      [
        `deno compile could not get its base runtime ("denort") for ${target}: ${detail}`,
        `Download ${url} (or denort-${target}.zip from`,
        `https://github.com/denoland/deno/releases/tag/v${version}) on a machine that can reach it,`,
        `unzip it, and run again with DENORT_BIN=/path/to/denort. It must be denort ${version}`,
        "for that target; the full deno binary does not work as DENORT_BIN (the result starts the",
        "Deno CLI, not the service).",
      ].join("\n"),
    );
    this.name = "RuntimeUnavailableError";
  }
}

/** The permission flags of `start:<service>`: the words between `deno run` and `<svc>/main.ts`. */
export function permissionFlags(tasks: Record<string, string>, service: string): string[] {
  const task = tasks[`start:${service}`];
  const words = task?.trim().split(/\s+/) ?? [];
  const entry = `${service}/main.ts`;
  if (words[0] !== "deno" || words[1] !== "run" || words.at(-1) !== entry) {
    throw new Error(
      `Invalid task "start:${service}" in deno.json: expected "deno run <flags> ${entry}", got "${
        task ?? ""
      }"`,
    );
  }
  const flags = words.slice(2, -1);
  const other = flags.find((flag) => !/^--(allow-[a-z]+(=\S+)?|no-prompt)$/.test(flag));
  if (other !== undefined) {
    throw new Error(`Invalid flag "${other}" in "start:${service}": expected permission flags`);
  }
  return flags;
}

/** The tasks of deno.json. */
export async function readTasks(): Promise<Record<string, string>> {
  return JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))).tasks;
}

/** `--exclude` flags for the files of `EXCLUDED_FROM_BINARY` that exist in this DENO_DIR. */
export async function excludeFlags(): Promise<string[]> {
  const { stdout } = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  const denoDir: string = JSON.parse(new TextDecoder().decode(stdout)).denoDir;
  const flags: string[] = [];
  for (const path of EXCLUDED_FROM_BINARY.map((relative) => join(denoDir, relative))) {
    if (await Deno.stat(path).then(() => true, () => false)) flags.push("--exclude", path);
  }
  return flags;
}

/** Options of `compileService`. */
export interface CompileOptions {
  /** A `deno compile --target` triple; the host's when omitted. */
  target?: string;
  /** Output file. */
  output: string;
  flags: readonly string[];
  /** Extra `deno compile` flags, e.g. from `excludeFlags()`. */
  compileFlags?: readonly string[];
  /** The base runtime; defaults to DENORT_BIN from the env, else deno downloads one. */
  denortBin?: string;
}

/** Runs `deno compile` for one service; throws `RuntimeUnavailableError` when denort is missing. */
export async function compileService(service: string, options: CompileOptions): Promise<void> {
  const target = options.target ?? Deno.build.target;
  const denort = options.denortBin ?? Deno.env.get("DENORT_BIN");
  if (denort !== undefined) {
    const info = await Deno.stat(denort).catch(() => undefined);
    if (!info?.isFile) {
      throw new RuntimeUnavailableError(target, `DENORT_BIN "${denort}" is not a file`);
    }
  }
  const args = [
    "compile",
    // The binary carries the npm packages exactly as locked.
    "--frozen",
    ...(options.compileFlags ?? []),
    ...options.flags,
    ...(options.target === undefined ? [] : ["--target", options.target]),
    "--output",
    options.output,
    `${service}/main.ts`,
  ];
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...(denort === undefined ? {} : { DENORT_BIN: denort }) },
    stdout: "null",
    stderr: "piped",
  }).output();
  const message = new TextDecoder().decode(stderr);
  if (code === 0) return;
  if (message.includes("Setting up base binary")) {
    const lines = message.split("\n").map((line) => line.trim());
    const cause = lines.find((line) => /error sending request|dns error|No such file/i.test(line));
    throw new RuntimeUnavailableError(
      target,
      cause?.replace(/^\d+: /, "") ?? "the download failed",
    );
  }
  throw new Error(`deno compile ${service} failed (exit ${code}):\n${message}`);
}

/** Checks that a host-target binary runs as the service (not, say, as the Deno CLI). */
export async function smokeTest(binary: string, service: string): Promise<void> {
  const { stdout } = await new Deno.Command(binary, { args: ["--version"], stdin: "null" })
    .output();
  const text = new TextDecoder().decode(stdout).trim();
  if (!text.startsWith(`${service} `)) {
    throw new Error(
      `${binary} --version printed "${text.split("\n")[0]}", expected "${service} <version>": ` +
        "the base runtime (DENORT_BIN) is not a denort of this Deno version",
    );
  }
}

/** `[target] [service...]`: any argument is either a target or a service name. */
export function parseArgs(args: readonly string[]): { target?: string; services: string[] } {
  const targets = args.filter((arg) => (TARGETS as readonly string[]).includes(arg));
  const services = args.filter((arg) => (SERVICES as readonly string[]).includes(arg));
  const other = args.find((arg) => !targets.includes(arg) && !services.includes(arg));
  if (other !== undefined || targets.length > 1) {
    throw new Error(
      `Invalid argument "${other ?? targets.join(" ")}": expected deno task compile [target] ` +
        `[service...], with one target of ${TARGETS.join(", ")} and services of ${
          SERVICES.join(", ")
        }`,
    );
  }
  return { target: targets[0], services: services.length > 0 ? services : [...SERVICES] };
}

async function main(args: string[]): Promise<number> {
  const { target, services } = parseArgs(args);
  const tasks = await readTasks();
  const dir = target === undefined ? join(ROOT, "dist") : join(ROOT, "dist", target);
  await Deno.mkdir(dir, { recursive: true });
  const compileFlags = await excludeFlags();
  for (const service of services) {
    const output = join(dir, service);
    const flags = permissionFlags(tasks, service);
    await compileService(service, { target, output, flags, compileFlags });
    if (target === undefined || target === Deno.build.target) {
      // A binary that does not run as the service is not left behind to be shipped.
      await smokeTest(output, service).catch(async (error) => {
        await Deno.remove(output);
        throw error;
      });
    }
    Deno.stdout.writeSync(new TextEncoder().encode(`${output}  ${flags.join(" ")}\n`));
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    Deno.stderr.writeSync(new TextEncoder().encode(`${(error as Error).message}\n`));
    Deno.exit(1);
  }
}
