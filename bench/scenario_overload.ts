/**
 * Scenario 6: the OTLP endpoint is dead. `user` at 100% sampling exports either to a port that
 * refuses connections or to one that accepts and never answers (exports wait for their timeout),
 * against the same load as an untraced `user`. Throughput ratio, memory peak, and memory growth
 * within each run (mean of its last quarter of samples minus mean of its first quarter).
 */
import { keyFor } from "./results.ts";
import { type BenchContext, UNTRACED, type Variant } from "./context.ts";
import { runLoadProcess } from "./load.ts";
import { freePort, sampleRss, startService } from "./process.ts";
import { interleave, type RunningVariant, stopAll } from "./runs.ts";
import { recordSpanTotals, seedUsers } from "./scenario_http.ts";

const SCENARIO = "6 overload: OTLP endpoint dead";

/** Runs scenario 6. */
export async function runOverloadScenario(ctx: BenchContext): Promise<void> {
  const { settings, cores } = ctx;
  ctx.progress(`Scenario ${SCENARIO}`);
  const blackHole = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of blackHole) held.push(conn);
    } catch { /* closed */ }
  })();
  // A stop with exports hanging waits for its deadline; nothing is measured then.
  const traced = { OTEL_TRACES_SAMPLER: "parentbased_always_on", SHUTDOWN_TIMEOUT_MS: "2000" };
  const setups: Variant[] = [
    { name: UNTRACED, env: { OTEL_SDK_DISABLED: "true" } },
    {
      name: "OTLP refused",
      env: { ...traced, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${freePort()}` },
    },
    {
      name: "OTLP hangs",
      env: { ...traced, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${blackHole.addr.port}` },
    },
  ];
  const variants: RunningVariant[] = [];
  try {
    for (const setup of setups) {
      const dataDir = await Deno.makeTempDir({ dir: ctx.dataDir, prefix: "overload-" });
      const user = await startService("user", { env: setup.env, dataDir, cores });
      variants.push({ name: setup.name, processes: [user] });
      await seedUsers(user.url);
    }
    const paths = Array.from({ length: 200 }, (_, i) => `/users/bench-user-${(i * 37) % 200}`);
    await interleave(ctx, variants, async (variant, { warmup }) => {
      const rss = sampleRss(variant.processes, 500);
      const result = await runLoadProcess({
        url: variant.processes[0]!.url,
        paths,
        connections: settings.httpConnections,
        durationSeconds: warmup ? settings.warmupSeconds : settings.overloadSeconds,
      }, cores);
      const [peak] = await rss.stop();
      if (warmup) return;
      const samples = rss.series()[0]!;
      const quarter = Math.max(1, Math.floor(samples.length / 4));
      const key = keyFor(SCENARIO, variant.name);
      const ratioTo = variant.name === UNTRACED ? undefined : UNTRACED;
      ctx.results.add(key("throughput", "req/s"), result.okPerSecond, { ratioTo });
      ctx.results.add(key("latency p99", "ms"), result.p99Ms);
      ctx.results.add(key("errors", "count"), result.non2xx + result.errors + result.timeouts);
      ctx.results.add(key("RSS peak", "MB"), peak!, { ratioTo });
      ctx.results.add(
        key("RSS growth", "MB"),
        mean(samples.slice(-quarter)) - mean(samples.slice(0, quarter)),
      );
    });
    for (const variant of variants) await recordSpanTotals(ctx, SCENARIO, variant);
    ctx.results.note(
      `Overload: ${settings.overloadSeconds} s per run; the hanging endpoint accepts TCP and ` +
        "never answers, so each export waits for OTEL_EXPORTER_OTLP_TIMEOUT (default 10 s).",
    );
  } finally {
    await stopAll(variants.flatMap((variant) => variant.processes));
    blackHole.close();
    await accepting;
    for (const conn of held) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}
