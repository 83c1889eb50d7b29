/** The summary a run prints: per scenario its count, errors and latency percentiles. */
import { percentile } from "../bench/stats.ts";
import type { Outcome } from "./runner.ts";

/** One row of the summary. */
export interface SummaryRow {
  scenario: string;
  count: number;
  errors: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

/** Rows by scenario in `order`, then a `total` row; percentiles over every request. */
export function summarize(outcomes: readonly Outcome[], order: readonly string[]): SummaryRow[] {
  const row = (scenario: string, of: readonly Outcome[]): SummaryRow => {
    const ms = of.map((outcome) => outcome.ms);
    return {
      scenario,
      count: of.length,
      errors: of.filter((outcome) => !outcome.ok).length,
      p50Ms: percentile(ms, 50),
      p90Ms: percentile(ms, 90),
      p99Ms: percentile(ms, 99),
    };
  };
  const rows = order
    .map((scenario) => row(scenario, outcomes.filter((o) => o.scenario === scenario)))
    .filter((r) => r.count > 0);
  return [...rows, row("total", outcomes)];
}

/** The rows as a fixed-width table. */
export function formatSummary(rows: readonly SummaryRow[]): string {
  const header = ["scenario", "count", "errors", "p50 ms", "p90 ms", "p99 ms"];
  const cells = rows.map((r) => [
    r.scenario,
    String(r.count),
    String(r.errors),
    ...[r.p50Ms, r.p90Ms, r.p99Ms].map((ms) => Number.isNaN(ms) ? "-" : ms.toFixed(1)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: readonly string[]) =>
    values.map((v, i) => i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)).join("  ");
  return [line(header), ...cells.map(line)].join("\n");
}
