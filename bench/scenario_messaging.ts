/**
 * Scenario 3: the producer publishes at a steady offered rate with confirms (`/simulate-load`,
 * persistent messages, one new trace per message) and the consumer processes with simulated work
 * off. Messages/s end to end = messages confirmed / (time from the run's start to the consumer
 * having processed all of them). Publish→process latency comes from the consumer's
 * `message_queue_latency_seconds` histogram (the `x-published-at` header), interpolated inside
 * buckets. The baseline is the same load through plain amqplib with no tracing.
 */
import { keyFor } from "./results.ts";
import { DEFAULT_RABBITMQ_URL } from "../lib/amqp/config.ts";
import { deleteQueues } from "./amqp_baseline.ts";
import { runBaseline } from "./baseline_runner.ts";
import { type BenchContext, tracingVariants, UNTRACED } from "./context.ts";
import { counterValue, histogramBuckets, readMetrics } from "./probe.ts";
import { type BenchProcess, delay, sampleRss, startService } from "./process.ts";
import { cpuSeconds, interleave, type RunningVariant, stopAll } from "./runs.ts";
import { recordSpanTotals } from "./scenario_http.ts";
import { bucketDelta, bucketPercentile, type CumulativeBuckets } from "./stats.ts";

const SCENARIO = "3 messaging publish→process";
const BASELINE = "amqplib baseline";
const LATENCY = "message_queue_latency_seconds";

interface MessagingVariant extends RunningVariant {
  queue: string;
  producer?: BenchProcess;
  consumer?: BenchProcess;
}

/** One run's figures. */
interface RunFigures {
  messages: number;
  seconds: number;
  confirmedPerSecond: number;
  latency: CumulativeBuckets;
}

/** Runs scenario 3. */
export async function runMessagingScenario(ctx: BenchContext): Promise<void> {
  const { settings, cores } = ctx;
  ctx.progress(`Scenario ${SCENARIO}`);
  const suffix = crypto.randomUUID().slice(0, 8);
  const variants: MessagingVariant[] = [];
  try {
    for (
      const variant of tracingVariants(
        // End to end: messages' spans go to the tracing service, so loss would show.
        { sink: ctx.otlpEndpoint, tracing: ctx.otlpEndpoint },
        { deno: false, comparisons: false },
      )
    ) {
      const queue = `bench-${variant.name.replace(/\W+/g, "-")}-${suffix}`;
      const env = {
        ...variant.env,
        QUEUE_NAME: queue,
        PREFETCH: String(settings.prefetch),
        WORK_HIGH_MS: "0",
        WORK_NORMAL_MS: "0",
        WORK_LOW_MS: "0",
        FAILURE_RATE: "0",
      };
      const dataDir = ctx.dataDir;
      const consumer = await startService("consumer", { env, dataDir, cores });
      const producer = await startService("producer", { env, dataDir, cores });
      variants.push({
        name: variant.name,
        queue,
        producer,
        consumer,
        processes: [producer, consumer],
      });
    }
    variants.push({ name: BASELINE, queue: `bench-amqplib-${suffix}`, processes: [] });

    await interleave(ctx, variants, async (variant, { warmup }) => {
      const seconds = warmup ? Math.max(1, settings.warmupSeconds) : settings.messagingSeconds;
      const rss = sampleRss(variant.processes);
      const cpuBefore = await cpuSeconds(variant.processes);
      const figures = variant.consumer === undefined
        ? await baselineRun(ctx, variant.queue, seconds)
        : await serviceRun(variant.producer!, variant.consumer, seconds, settings.messagingRate);
      const cpu = await cpuSeconds(variant.processes) - cpuBefore;
      const peaks = await rss.stop();
      if (warmup) return;
      const key = keyFor(SCENARIO, variant.name);
      const ratioTo = variant.name === BASELINE ? undefined : BASELINE;
      ctx.results.add(
        key("messages/s end to end", "msg/s"),
        figures.messages / figures.seconds,
        { ratioTo },
      );
      ctx.results.add(key("publish confirmed/s", "msg/s"), figures.confirmedPerSecond, {
        ratioTo,
      });
      if (variant.processes.length > 0) {
        ctx.results.add(
          key("producer+consumer CPU per message", "µs"),
          (cpu * 1e6) / figures.messages,
          {
            ratioTo: UNTRACED,
          },
        );
      }
      ctx.results.add(key("latency p50", "ms"), bucketPercentile(figures.latency, 50) * 1000);
      ctx.results.add(key("latency p99", "ms"), bucketPercentile(figures.latency, 99) * 1000);
      variant.processes.forEach((process, i) => {
        ctx.results.add(key(`RSS peak ${process.name}`, "MB"), peaks[i]!);
      });
    });
    for (const variant of variants) await recordSpanTotals(ctx, SCENARIO, variant);
    ctx.results.note(
      `Messaging: offered ${settings.messagingRate} msg/s for ${settings.messagingSeconds} s per ` +
        `run, persistent, confirmed, prefetch ${settings.prefetch}; latency p50/p99 interpolated ` +
        "in the consumer's histogram buckets (the baseline uses the same buckets).",
    );
  } finally {
    await stopAll(variants.flatMap((variant) => variant.processes));
    await deleteQueues(DEFAULT_RABBITMQ_URL, variants.map((variant) => variant.queue))
      .catch((error) => ctx.progress(`Could not delete the benchmark queues: ${error}`));
  }
}

async function serviceRun(
  producer: BenchProcess,
  consumer: BenchProcess,
  seconds: number,
  rate: number,
): Promise<RunFigures> {
  const processedBefore = await processed(consumer);
  const latencyBefore = histogramBuckets(await readMetrics(consumer.url), LATENCY);
  const response = await fetch(`${producer.url}/simulate-load`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ duration_seconds: seconds, messages_per_second: rate }),
  });
  const run = await response.json() as { id: string; started_at: string };
  if (response.status !== 202) throw new Error(`POST /simulate-load: ${JSON.stringify(run)}`);
  const startedAtMs = Date.parse(run.started_at);
  let view: { status: string; in_flight: number; sent: number; actual_rate_per_second: number };
  const deadline = Date.now() + (seconds + 60) * 1000;
  do {
    await delay(100);
    view = await (await fetch(`${producer.url}/simulate-load/${run.id}`)).json();
  } while ((view.status === "running" || view.in_flight > 0) && Date.now() < deadline);
  let done = await processed(consumer);
  while (done - processedBefore < view.sent && Date.now() < deadline) {
    await delay(20);
    done = await processed(consumer);
  }
  const finishedAtMs = Date.now();
  const latency = bucketDelta(
    histogramBuckets(await readMetrics(consumer.url), LATENCY),
    latencyBefore,
  );
  return {
    messages: done - processedBefore,
    seconds: (finishedAtMs - startedAtMs) / 1000,
    confirmedPerSecond: view.actual_rate_per_second,
    latency,
  };
}

async function baselineRun(ctx: BenchContext, queue: string, seconds: number): Promise<RunFigures> {
  const { publish, consume } = await runBaseline({
    url: DEFAULT_RABBITMQ_URL,
    queue,
    rate: ctx.settings.messagingRate,
    seconds,
    prefetch: ctx.settings.prefetch,
    cores: ctx.cores,
  });
  return {
    messages: consume.processed,
    seconds: (consume.lastAtMs - publish.startedAtMs) / 1000,
    confirmedPerSecond: publish.sent / seconds,
    latency: consume.latency,
  };
}

async function processed(consumer: BenchProcess): Promise<number> {
  const metrics = await readMetrics(consumer.url);
  return counterValue(metrics, "messages_processed_total", 'outcome="processed"');
}
