/**
 * The cross-language peers for process tests: the Python AMQP peer, run from the virtualenv that
 * `.ci/services` installs from interop/python/requirements.txt, and the Go peers, built from
 * interop/go with `go build`. Each fails with a message that says what is missing and how to get
 * it.
 */
import { join } from "node:path";
import { REPO_ROOT } from "../lib/testing/service_process.ts";

const PYTHON_DIR = join(REPO_ROOT, "interop/python");
const GO_DIR = join(REPO_ROOT, "interop/go");

/** What a peer printed: its one JSON line. */
export type PeerResult = Record<string, unknown>;

/**
 * The virtualenv of the Python peer: PYTHON_PEER_VENV, else the cached path `.ci/services`
 * derives from the requirements file's SHA-256, so a changed pin gets a fresh environment.
 */
export async function pythonPeerVenv(): Promise<string> {
  const fromEnv = Deno.env.get("PYTHON_PEER_VENV");
  if (fromEnv) return fromEnv;
  const requirements = await Deno.readFile(join(PYTHON_DIR, "requirements.txt"));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", requirements));
  const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return join(cacheDir(), `python-peer-${hex.slice(0, 16)}`);
}

/** Runs `python -m amqp_peer <args>` with `env` and returns its JSON line. */
export async function runPythonPeer(
  args: readonly string[],
  env: Record<string, string>,
): Promise<PeerResult> {
  const venv = await pythonPeerVenv();
  // `.ci/services` writes the marker once every pinned package is installed.
  if (!await exists(join(venv, "installed"))) {
    throw new Error(
      `The Python peer's environment is missing at ${venv} (pinned by ` +
        `interop/python/requirements.txt): run "bash .ci/services" to install it`,
    );
  }
  return await runPeer("Python peer (amqp_peer)", [
    join(venv, "bin/python"),
    "-m",
    "amqp_peer",
    ...args,
  ], {
    cwd: PYTHON_DIR,
    env,
  });
}

/** The Go peers' executables. */
export interface GoPeers {
  /** interop/go/cmd/order-client */
  orderClient: string;
  /** interop/go/cmd/user-service */
  userService: string;
}

/**
 * Builds interop/go/cmd/... into the cached directory `.ci/services` fills (or GO_PEERS_BIN):
 * `go build` leaves an up-to-date binary alone, so only a changed peer is linked again. Throws
 * with the compiler's output when the peers cannot be built.
 */
export async function buildGoPeers(): Promise<GoPeers> {
  const dir = Deno.env.get("GO_PEERS_BIN") || join(cacheDir(), "go-peers");
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("go", {
      args: ["build", "-trimpath", "-o", `${dir}/`, "./cmd/..."],
      cwd: GO_DIR,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new Error(`The Go peers cannot be built: is Go installed? (${error})`, { cause: error });
  }
  if (!output.success) {
    throw new Error(
      `The Go peers in interop/go did not build (go build exited ${output.code}):\n` +
        new TextDecoder().decode(output.stderr),
    );
  }
  return { orderClient: join(dir, "order-client"), userService: join(dir, "user-service") };
}

/** Runs a peer that prints one JSON line and exits; throws with its output when it fails. */
export async function runPeer(
  name: string,
  command: readonly [string, ...string[]],
  options: { cwd?: string; env: Record<string, string> },
): Promise<PeerResult> {
  const [program, ...args] = command;
  const output = await new Deno.Command(program, {
    args,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout).trim();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  if (!output.success) {
    throw new Error(`${name} exited with code ${output.code}:\n${stderr}\n${stdout}`);
  }
  const last = stdout.split("\n").at(-1) ?? "";
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`${name} printed no JSON result:\n${stdout}\n${stderr}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** This project's cache directory, as `.ci/services` names it. */
function cacheDir(): string {
  const cache = Deno.env.get("XDG_CACHE_HOME") || join(Deno.env.get("HOME") ?? "/root", ".cache");
  return join(cache, "tracing-demo");
}
