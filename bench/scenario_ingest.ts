/**
 * Scenario 4: the tracing service alone on the server core. Ingest: autocannon POSTs batches of
 * official-serializer OTLP (JSON and protobuf), each with new trace ids; spans/s accepted (2xx) and
 * stored (its `tracing_spans_stored_total` reaching what was accepted). Then it is filled to the
 * query size (1M spans in the full run) and search and trace-by-id are timed.
 */
import { keyFor } from "./results.ts";
import type { BenchContext } from "./context.ts";
import { runLoadProcess } from "./load.ts";
import { OPERATIONS, type OtlpEncoding, SPANS_PER_TRACE, traceIdFor } from "./otlp_payload.ts";
import { counterValue, readMetrics } from "./probe.ts";
import { delay, sampleRss } from "./process.ts";
import { interleave, type RunningVariant } from "./runs.ts";
import { describeProfiles, profileFlags } from "./profile_by_package.ts";
import { startTracingService, type TracingService } from "./tracing_service.ts";

const SCENARIO = "4 tracing ingest + query";

interface IngestVariant extends RunningVariant {
  encoding: OtlpEncoding;
}

/** A load run whose trace ids are known. */
interface Sent {
  prefix: string;
  requests: number;
}

/** Runs scenario 4. */
export async function runIngestScenario(ctx: BenchContext): Promise<void> {
  const { settings, cores } = ctx;
  ctx.progress(`Scenario ${SCENARIO}`);
  const dataDir = await Deno.makeTempDir({ dir: ctx.dataDir, prefix: "ingest-" });
  const profiles = settings.profile
    ? await Deno.makeTempDir({ dir: ctx.dataDir, prefix: "profile-" })
    : undefined;
  const tracing = await startTracingService({
    dataDir,
    cores,
    core: cores.server,
    flags: profileFlags(profiles),
  });
  const sent: Sent[] = [];
  let spansStored = 0;
  try {
    const variants: IngestVariant[] = (["protobuf", "json"] as const).map((encoding) => ({
      name: `OTLP ${encoding}`,
      encoding,
      processes: [tracing.process],
    }));
    await interleave(ctx, variants, async (variant, { warmup }) => {
      const seconds = warmup ? settings.warmupSeconds : settings.ingestSeconds;
      const rss = sampleRss(variant.processes);
      const run = await ingest(ctx, tracing, variant.encoding, { seconds }, sent);
      const [peak] = await rss.stop();
      if (warmup) return;
      const key = keyFor(SCENARIO, variant.name);
      ctx.results.add(key("spans accepted/s", "spans/s"), run.acceptedPerSecond);
      ctx.results.add(key("spans stored/s", "spans/s"), run.storedPerSecond);
      ctx.results.add(key("requests rejected (503)", "count"), run.rejected);
      ctx.results.add(key("request latency p99", "ms"), run.p99Ms);
      ctx.results.add(key("RSS peak tracing", "MB"), peak!);
    });

    const stored = await storedSpans(tracing);
    const missing = settings.querySpans - stored;
    if (missing > 0) {
      ctx.progress(`  filling the store to ${settings.querySpans} spans`);
      await ingest(ctx, tracing, "protobuf", {
        seconds: 600,
        amount: Math.ceil(missing / settings.ingestBatch),
      }, sent);
    }
    const atQuery = await storedSpans(tracing);
    spansStored = atQuery;
    ctx.results.note(
      `Ingest: batches of ${settings.ingestBatch} spans, ${settings.ingestConnections} ` +
        `connections; queries ran with ${atQuery} spans stored` +
        (atQuery < 1_000_000 ? ` (not 1M: ${settings.mode} mode).` : "."),
    );
    await queries(ctx, tracing, sent, atQuery);
  } finally {
    await tracing.process.stop();
  }
  if (profiles !== undefined && spansStored > 0) {
    // The queries' time is in the profile too: an upper bound of what storing a span costs.
    const summary = await describeProfiles(profiles, spansStored, "span stored");
    ctx.results.note(`CPU profile ${SCENARIO}, tracing service: ${summary}`);
  }
}

async function ingest(
  ctx: BenchContext,
  tracing: TracingService,
  encoding: OtlpEncoding,
  bounds: { seconds: number; amount?: number },
  sent: Sent[],
) {
  const { settings } = ctx;
  const before = await storedSpans(tracing);
  const prefix = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  const result = await runLoadProcess({
    url: tracing.otlpEndpoint,
    method: "POST",
    paths: ["/v1/traces"],
    otlp: { encoding, spansPerBatch: settings.ingestBatch, tracePrefix: prefix },
    connections: settings.ingestConnections,
    durationSeconds: bounds.seconds,
    amount: bounds.amount,
  }, ctx.cores);
  // Which requests were accepted is not known one by one; queries use the first half.
  sent.push({ prefix, requests: Math.floor(result.ok / 2) });
  const accepted = result.ok * settings.ingestBatch;
  const deadline = Date.now() + 120_000;
  let stored = await storedSpans(tracing);
  while (stored - before < accepted && Date.now() < deadline) {
    await delay(20);
    stored = await storedSpans(tracing);
  }
  const storedAtMs = Date.now();
  return {
    acceptedPerSecond: accepted / ((result.finishedAtMs - result.startedAtMs) / 1000),
    storedPerSecond: (stored - before) / ((storedAtMs - result.startedAtMs) / 1000),
    rejected: result.non2xx,
    p99Ms: result.p99Ms,
  };
}

async function queries(ctx: BenchContext, tracing: TracingService, sent: Sent[], spans: number) {
  const batch = ctx.settings.ingestBatch;
  const usable = sent.filter((run) => run.requests > 0);
  const byId = Array.from({ length: 500 }, () => {
    const run = usable[Math.floor(Math.random() * usable.length)]!;
    const traceNo = Math.floor(Math.random() * Math.ceil(batch / SPANS_PER_TRACE));
    const request = Math.floor(Math.random() * run.requests);
    return `/api/v1/traces/${traceIdFor(run.prefix, traceNo, request)}`;
  });
  const search = [
    ...OPERATIONS.map((operation) =>
      `/api/v1/traces/search?service=bench-ingest&operation=${
        encodeURIComponent(operation)
      }&limit=20&lookback=1h`
    ),
    "/api/v1/traces/search?service=bench-ingest&limit=20&lookback=1h",
    "/api/v1/traces/search?service=bench-ingest&tags=http.route%3D%2Forders&limit=20&lookback=1h",
  ];
  const variants = [
    { name: "trace by id", paths: byId, processes: [tracing.process] },
    { name: "search", paths: search, processes: [tracing.process] },
  ];
  await interleave(ctx, variants, async (variant, { warmup }) => {
    const result = await runLoadProcess({
      url: tracing.queryUrl,
      paths: variant.paths,
      connections: 1,
      durationSeconds: warmup ? Math.min(1, ctx.settings.querySeconds) : ctx.settings.querySeconds,
    }, ctx.cores);
    if (warmup) return;
    const key = keyFor(SCENARIO, variant.name);
    ctx.results.add(key("queries/s (1 connection)", "req/s"), result.okPerSecond);
    ctx.results.add(key("latency p50", "ms"), result.p50Ms);
    ctx.results.add(key("latency p99", "ms"), result.p99Ms);
    ctx.results.add(key("errors", "count"), result.non2xx + result.errors);
    ctx.results.add(key("spans stored", "count"), spans);
  });
}

async function storedSpans(tracing: TracingService): Promise<number> {
  return counterValue(await readMetrics(tracing.queryUrl), "tracing_spans_stored_total");
}
