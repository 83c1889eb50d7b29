/** Runs one plain-amqplib baseline run: a consumer process, then a publisher process. */
import { REPO_ROOT } from "../lib/testing/service_process.ts";
import type { ConsumeReport, PublishReport } from "./amqp_baseline.ts";
import type { Cores } from "./process.ts";
import { textLines } from "../lib/text_lines.ts";

/** Messages per second end to end and the consumer's latency buckets. */
export interface BaselineRun {
  publish: PublishReport;
  consume: ConsumeReport;
}

/** Publishes `rate` messages/s for `seconds` through `queue` and waits until all are consumed. */
export async function runBaseline(options: {
  url: string;
  queue: string;
  rate: number;
  seconds: number;
  prefetch: number;
  cores: Cores;
}): Promise<BaselineRun> {
  const { url, queue, cores } = options;
  const consumer = spawn({ role: "consume", url, queue, prefetch: options.prefetch }, cores, true);
  const lines = textLines(consumer.stdout);
  const nextLine = async (): Promise<string> => {
    const { value, done } = await lines.next();
    if (done) throw new Error("The baseline consumer ended early");
    return value;
  };
  const writer = consumer.stdin.getWriter();
  try {
    if (await nextLine() !== "ready") throw new Error("The baseline consumer did not start");
    const publisher = spawn(
      { role: "publish", url, queue, rate: options.rate, seconds: options.seconds },
      cores,
      false,
    );
    const timer = setTimeout(() => {
      try {
        publisher.kill("SIGKILL");
      } catch { /* already gone */ }
    }, (options.seconds + 60) * 1000);
    const output = await publisher.output();
    clearTimeout(timer);
    const publish = parse<PublishReport>(new TextDecoder().decode(output.stdout), output);
    await writer.write(new TextEncoder().encode(`expect ${publish.sent}\n`));
    const consume = parse<ConsumeReport>(await nextLine(), undefined);
    consume.latency.le = consume.latency.le.map(Number);
    return { publish, consume };
  } finally {
    await writer.close().catch(() => undefined);
    await lines.return(undefined).catch(() => undefined);
    try {
      consumer.kill("SIGKILL");
    } catch { /* already gone */ }
    await consumer.status;
  }
}

function spawn(spec: Record<string, unknown>, cores: Cores, piped: boolean): Deno.ChildProcess {
  const args = [
    "run",
    "--allow-net=127.0.0.1",
    "--allow-env",
    "--allow-sys=hostname",
    "bench/amqp_baseline.ts",
    JSON.stringify(spec),
  ];
  const pin = cores.pinned ? ["-c", String(cores.server), Deno.execPath()] : [];
  return new Deno.Command(cores.pinned ? "taskset" : Deno.execPath(), {
    args: [...pin, ...args],
    cwd: REPO_ROOT,
    stdin: piped ? "piped" : "null",
    stdout: "piped",
    stderr: piped ? "null" : "piped",
  }).spawn();
}

function parse<T>(text: string, output: Deno.CommandOutput | undefined): T {
  const line = text.trim().split("\n").at(-1) ?? "";
  if (!line.startsWith("{")) {
    const stderr = output === undefined ? "" : new TextDecoder().decode(output.stderr);
    throw new Error(`The amqplib baseline failed: ${text}\n${stderr}`);
  }
  return JSON.parse(line) as T;
}
