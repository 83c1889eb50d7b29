/** The machine the run was on, the one table (median, min, max, ratio) and the JSON file. */
import type { Cores } from "./process.ts";
import type { ResultRow } from "./results.ts";
import type { Settings } from "./settings.ts";
import { roundForDisplay } from "./stats.ts";
import type { TargetCheck } from "./targets.ts";

/** What the run was measured on. */
export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryGb: number;
  deno: string;
  v8: string;
  os: string;
  cores: Cores;
}

/** Reads the CPU model and memory from /proc, the rest from Deno. */
export async function describeMachine(cores: Cores): Promise<Machine> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? Number.NaN);
  return {
    nproc: navigator.hardwareConcurrency,
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    memoryGb: Math.round((memKb / 1024 / 1024) * 10) / 10,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    os: `${Deno.build.os} ${Deno.build.arch}`,
    cores,
  };
}

/** The whole report, as written to JSON. */
export interface Report {
  schema: "bench-results/v1";
  mode: Settings["mode"];
  startedAt: string;
  durationSeconds: number;
  machine: Machine;
  settings: Settings;
  rows: ResultRow[];
  targets: TargetCheck[];
  notes: string[];
}

/** One Markdown table of every row. */
export function formatTable(rows: readonly ResultRow[]): string {
  const header = ["scenario", "variant", "metric", "median", "min", "max", "ratio"];
  const lines = rows.map((row) => [
    row.scenario,
    row.variant,
    `${row.metric} (${row.unit})`,
    roundForDisplay(row.median),
    roundForDisplay(row.min),
    roundForDisplay(row.max),
    row.ratio === undefined ? "" : `${row.ratio.toFixed(2)}x ${row.ratioTo}`,
  ]);
  return markdown(header, lines);
}

/** The targets as a Markdown table. */
export function formatTargets(targets: readonly TargetCheck[]): string {
  return markdown(
    ["target", "measured", "met"],
    targets.map((t) => [t.target, t.measured, t.met === undefined ? "n/a" : t.met ? "yes" : "NO"]),
  );
}

/** The machine as one line. */
export function formatMachine(machine: Machine): string {
  const pinning = machine.cores.pinned
    ? `servers on core ${machine.cores.server}, load generator on core ${machine.cores.load}`
    : "not pinned";
  return `${machine.nproc} cores (${machine.cpuModel}), ${machine.memoryGb} GB RAM, ` +
    `Deno ${machine.deno} (V8 ${machine.v8}), ${machine.os}; ${pinning}`;
}

/** Writes the report to `bench/results/<mode>-<time>.json` and `latest-<mode>.json`. */
export async function writeReport(report: Report, dir: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const stamp = report.startedAt.replaceAll(":", "-").replace(/\.\d+Z$/, "Z");
  const path = `${dir}/${report.mode}-${stamp}.json`;
  const text = `${JSON.stringify(report, null, 2)}\n`;
  await Deno.writeTextFile(path, text);
  await Deno.writeTextFile(`${dir}/latest-${report.mode}.json`, text);
  return path;
}

function markdown(header: string[], lines: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [row(header), row(widths.map((w) => "-".repeat(w))), ...lines.map(row)].join("\n");
}
