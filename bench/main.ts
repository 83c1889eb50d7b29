/**
 * `deno task bench [--quick | --smoke] [--profile] [--deno] [--compare=<dir>] [--variants=a;b] [--http-seconds=N] [--scenarios=...]`: measures what tracing costs
 * and how far the system goes, side by side in one run, and prints one table (median, min, max
 * over the repeats, and the ratio to the baseline measured in the same repeats). The same goes
 * to `bench/results/<mode>-<time>.json` and `bench/results/latest-<mode>.json`.
 *
 * Everything it needs is started here as processes on loopback; RabbitMQ must answer on
 * 127.0.0.1:5672 for the messaging and footprint scenarios. Every load run is bounded.
 *
 * It runs with `--allow-all`: Deno lets only that read /proc (VmRSS, CPU model, memory), and
 * `--allow-run` to start the services already grants as much.
 */
import { fileURLToPath } from "node:url";
import type { BenchContext } from "./context.ts";
import { stopLoadGenerator } from "./load.ts";
import { detectCores, startDiscardSink } from "./process.ts";
import {
  describeMachine,
  formatMachine,
  formatTable,
  formatTargets,
  type Report,
  writeReport,
} from "./report.ts";
import { ResultSet } from "./results.ts";
import { runScenario } from "./scenarios.ts";
import { parseSettings } from "./settings.ts";
import { checkTargets } from "./targets.ts";
import { startTracingService } from "./tracing_service.ts";

const RESULTS_DIR = fileURLToPath(new URL("./results", import.meta.url));

/** Runs the benchmark; returns the report and where it was written. */
export async function main(args: readonly string[]): Promise<{ report: Report; path: string }> {
  const settings = parseSettings(args);
  const started = new Date();
  const progress = (message: string) => {
    const seconds = Math.round((Date.now() - started.getTime()) / 1000);
    Deno.stderr.writeSync(new TextEncoder().encode(`[bench ${seconds}s] ${message}\n`));
  };
  const cores = await detectCores();
  const machine = await describeMachine(cores);
  progress(`${settings.mode} run on ${formatMachine(machine)}`);
  const dataDir = await Deno.makeTempDir({ prefix: "bench-" });
  const results = new ResultSet();
  const tracing = await startTracingService({
    dataDir: await Deno.makeTempDir({ dir: dataDir, prefix: "tracing-" }),
    cores,
    core: cores.load,
  });
  const sink = await startDiscardSink(cores);
  const ctx: BenchContext = {
    settings,
    cores,
    results,
    otlpEndpoint: tracing.otlpEndpoint,
    sinkEndpoint: sink.url,
    dataDir,
    progress,
  };
  if (!cores.pinned) results.note("Processes are not pinned to cores (one core or no taskset).");
  try {
    for (const scenario of settings.scenarios) await runScenario(ctx, scenario);
  } finally {
    await stopLoadGenerator();
    await tracing.process.stop();
    await sink.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => undefined);
  }
  const rows = results.rows();
  const report: Report = {
    schema: "bench-results/v1",
    mode: settings.mode,
    startedAt: started.toISOString(),
    durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
    machine,
    settings,
    rows,
    targets: checkTargets(rows),
    notes: results.notes,
  };
  const path = await writeReport(report, RESULTS_DIR);
  return { report, path };
}

if (import.meta.main) {
  const { report, path } = await main(Deno.args);
  const out = [
    `Machine: ${formatMachine(report.machine)}`,
    `Mode: ${report.mode}, ${report.settings.repeats} repeats per variant after a warm-up, ` +
    `${report.durationSeconds} s in all. Ratios: median over repeats of variant / baseline ` +
    "measured in the same repeat.",
    "",
    formatTable(report.rows),
    "",
    formatTargets(report.targets),
    "",
    ...report.notes.map((note) => `- ${note}`),
    "",
    `Written to ${path}`,
  ];
  await Deno.stdout.write(new TextEncoder().encode(`${out.join("\n")}\n`));
}
