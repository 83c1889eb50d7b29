/**
 * Scenario 5: each service started fresh with its default telemetry (SDK, 100% sampling, exporting
 * to the tracing service): milliseconds from spawn to the first 200 on `/health` (`deno run`,
 * cached), and resident memory (VmRSS) once idle. Memory under load is in the other scenarios'
 * "RSS peak" rows.
 */
import { keyFor } from "./results.ts";
import { DEFAULT_RABBITMQ_URL } from "../lib/amqp/config.ts";
import { servicePermissions } from "../lib/testing/service_process.ts";
import { deleteQueues } from "./amqp_baseline.ts";
import type { BenchContext } from "./context.ts";
import { type BenchProcess, delay, freePort, startProcess, startService } from "./process.ts";
import { interleave } from "./runs.ts";

const SCENARIO = "5 footprint";
const SERVICES = ["user", "order", "producer", "consumer", "tracing"] as const;

/** Runs scenario 5. */
export async function runFootprintScenario(ctx: BenchContext): Promise<void> {
  const { cores } = ctx;
  ctx.progress(`Scenario ${SCENARIO}`);
  const queue = `bench-footprint-${crypto.randomUUID().slice(0, 8)}`;
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: ctx.otlpEndpoint, QUEUE_NAME: queue };
  try {
    const variants = SERVICES.map((name) => ({ name, processes: [] }));
    await interleave(ctx, variants, async (variant, { warmup }) => {
      const dataDir = await Deno.makeTempDir({ dir: ctx.dataDir, prefix: "footprint-" });
      let process: BenchProcess;
      if (variant.name === "tracing") {
        process = await startProcess({
          name: "tracing",
          script: "tracing/main.ts",
          flags: servicePermissions(dataDir),
          env: {
            ...env,
            DATA_DIR: dataDir,
            OTLP_PORT: String(freePort()),
            OTEL_SERVICE_NAME: "tracing",
          },
          port: freePort(),
          cores,
          core: cores.server,
        });
      } else {
        process = await startService(variant.name, { env, dataDir, cores });
      }
      await delay(ctx.settings.idleMs);
      const rss = await process.rssMb();
      await process.stop();
      if (warmup) return;
      const key = keyFor(SCENARIO, variant.name);
      ctx.results.add(key("ready", "ms"), process.readyMs);
      ctx.results.add(key("RSS idle", "MB"), rss);
    }, { warmup: ctx.settings.mode === "full" });
    ctx.results.note(
      `Footprint: "ready" is spawn of \`deno run\` (cached) to the first 200 on /health; ` +
        `"RSS idle" is VmRSS ${
          ctx.settings.idleMs / 1000
        } s after that, default telemetry (SDK, 100%).`,
    );
  } finally {
    await deleteQueues(DEFAULT_RABBITMQ_URL, [queue]).catch(() => undefined);
  }
}
