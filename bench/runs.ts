/**
 * The run loop every load scenario shares: one discarded warm-up run per variant, then the
 * measured repeats with the variants interleaved (in a rotated order each repeat) so that drift
 * on a noisy machine hits every variant alike and ratios hold.
 */
import type { BenchContext } from "./context.ts";
import { readSpanStats } from "./probe.ts";
import { type BenchProcess, delay } from "./process.ts";

/** A variant whose processes are running. */
export interface RunningVariant {
  name: string;
  /** The processes whose telemetry and memory belong to this variant. */
  processes: BenchProcess[];
}

/** Runs `measure` for warm-up (`warmup: true`) and then each repeat of each variant. */
export async function interleave<V extends RunningVariant>(
  ctx: BenchContext,
  variants: readonly V[],
  measure: (variant: V, options: { warmup: boolean; repeat: number }) => Promise<void>,
  options: { warmup?: boolean } = {},
): Promise<void> {
  for (const variant of options.warmup === false ? [] : variants) {
    ctx.progress(`  warm-up ${variant.name}`);
    await measure(variant, { warmup: true, repeat: -1 });
    await quiesce(variant, ctx.settings.quiesceMaxMs);
  }
  for (let repeat = 0; repeat < ctx.settings.repeats; repeat++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + repeat) % variants.length]!;
      ctx.progress(`  repeat ${repeat + 1}/${ctx.settings.repeats} ${variant.name}`);
      await measure(variant, { warmup: false, repeat });
      await quiesce(variant, ctx.settings.quiesceMaxMs);
    }
  }
}

/**
 * Waits until the variant's processes exported what they queued (at most `maxMs`), so one run's
 * export work does not spill into the next run's measurement.
 */
export async function quiesce(variant: RunningVariant, maxMs: number): Promise<void> {
  const deadline = performance.now() + maxMs;
  for (const process of variant.processes) {
    while (performance.now() < deadline) {
      const stats = await readSpanStats(process.url).catch(() => undefined);
      if (stats === undefined || stats.queued === 0) break;
      await delay(50);
    }
  }
  await delay(maxMs >= 1000 ? 200 : 50);
}

/** Total CPU seconds used so far by `processes`. */
export async function cpuSeconds(processes: readonly BenchProcess[]): Promise<number> {
  const values = await Promise.all(processes.map((process) => process.cpuSeconds()));
  return values.reduce((sum, value) => sum + value, 0);
}

/** Stops every process, ignoring those already gone. */
export async function stopAll(processes: readonly BenchProcess[]): Promise<void> {
  await Promise.all(processes.map((process) => process.stop().catch(() => undefined)));
}
