/**
 * Runs bounded loads through `bench/load_generator.ts` (autocannon), one process for the whole
 * benchmark on the load core, started on first use. A run that has not answered 30 s after its
 * bound kills the process; the next run starts a new one.
 */
import { REPO_ROOT } from "../lib/testing/service_process.ts";
import type { LoadResult, LoadSpec } from "./load_generator.ts";
import type { Cores } from "./process.ts";

export type { LoadResult, LoadSpec };

interface Generator {
  child: Deno.ChildProcess;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  reader: ReadableStreamDefaultReader<string>;
  buffered: string;
}

let current: Generator | undefined;

/** Runs one bounded load and resolves with what it measured. */
export async function runLoadProcess(spec: LoadSpec, cores: Cores): Promise<LoadResult> {
  const generator = current ??= start(cores);
  await generator.writer.write(new TextEncoder().encode(`${JSON.stringify(spec)}\n`));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`The load generator did not answer within ${spec.durationSeconds + 30} s`));
    }, (spec.durationSeconds + 30) * 1000);
  });
  try {
    const line = await Promise.race([readLine(generator), deadline]);
    const answer = JSON.parse(line) as LoadResult | { error: string };
    if ("error" in answer) throw new Error(`The load generator failed: ${answer.error}`);
    return answer;
  } catch (error) {
    await stopLoadGenerator();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Ends the load generator process, if one runs. */
export async function stopLoadGenerator(): Promise<void> {
  const generator = current;
  current = undefined;
  if (generator === undefined) return;
  await generator.writer.close().catch(() => undefined);
  const timer = setTimeout(() => {
    try {
      generator.child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, 5000);
  await generator.reader.cancel().catch(() => undefined);
  await generator.child.status;
  clearTimeout(timer);
}

function start(cores: Cores): Generator {
  const args = [
    "run",
    "--allow-net=127.0.0.1",
    "--allow-env",
    "--allow-sys",
    "--allow-read",
    "bench/load_generator.ts",
  ];
  const options = {
    cwd: REPO_ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  } as const;
  const child = cores.pinned
    ? new Deno.Command("taskset", {
      args: ["-c", String(cores.load), Deno.execPath(), ...args],
      ...options,
    }).spawn()
    : new Deno.Command(Deno.execPath(), { args, ...options }).spawn();
  return {
    child,
    writer: child.stdin.getWriter(),
    reader: child.stdout.pipeThrough(new TextDecoderStream()).getReader(),
    buffered: "",
  };
}

async function readLine(generator: Generator): Promise<string> {
  while (!generator.buffered.includes("\n")) {
    const { value, done } = await generator.reader.read();
    if (done) throw new Error("The load generator ended");
    generator.buffered += value;
  }
  const index = generator.buffered.indexOf("\n");
  const line = generator.buffered.slice(0, index);
  generator.buffered = generator.buffered.slice(index + 1);
  return line;
}
