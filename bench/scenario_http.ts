/**
 * Scenarios 1 and 2. `http`: GET /users/:username on `user` (a SQLite read). `chain`: POST /orders
 * on `order`, which asks `user` and writes SQLite. Each variant runs its own processes, pinned to
 * the server core; autocannon holds a fixed number of connections from the load core. Both run
 * again with user and order on PostgreSQL (`postgres.ts`).
 */
import { describeProfiles, profileFlags } from "./profile_by_package.ts";
import { keyFor } from "./results.ts";
import { type BenchContext, tracingVariants, UNTRACED, type Variant } from "./context.ts";
import { runLoadProcess } from "./load.ts";
import { readLogStats, settledSpanStats, spansCreated } from "./probe.ts";
import { BenchDatabases, postgresVariants, ratioBase } from "./postgres.ts";
import { type BenchProcess, sampleRss, startService } from "./process.ts";
import { cpuSeconds, interleave, type RunningVariant, stopAll } from "./runs.ts";

const USERS = 200;

/** Seeds `count` users named `bench-user-<n>`. */
export async function seedUsers(userUrl: string, count = USERS): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `bench-user-${i}`);
  for (const username of names) {
    const response = await fetch(`${userUrl}/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, email: `${username}@example.com`, full_name: username }),
    });
    await response.body?.cancel();
    if (response.status !== 201 && response.status !== 409) {
      throw new Error(`Seeding user "${username}" answered ${response.status}`);
    }
  }
  return names;
}

interface HttpVariant extends RunningVariant {
  /** The process the load goes to. */
  target: BenchProcess;
  /** Where its processes write CPU profiles, with `--profile`. */
  profiles: string | undefined;
  /** 2xx answers over every run, warm-up included, to divide profiled time by. */
  requests: number;
}

/** Runs scenario `http` (1) or `chain` (2). */
export async function runHttpScenario(ctx: BenchContext, kind: "http" | "chain"): Promise<void> {
  const scenario = kind === "http" ? "1 HTTP GET /users/:username" : "2 chain POST /orders";
  const { settings, cores } = ctx;
  ctx.progress(`Scenario ${scenario}`);
  const variants: HttpVariant[] = [];
  const databases = new BenchDatabases();
  const endpoints = { sink: ctx.sinkEndpoint, tracing: ctx.otlpEndpoint };
  try {
    const all = [
      ...tracingVariants(endpoints, {
        deno: settings.denoMode,
        comparisons: settings.comparisons,
        compare: settings.compare,
        // The export encoding's and the request logs' costs, shown once on the simplest request.
        json: kind === "http",
        logs: kind === "http",
      }),
      ...postgresVariants(endpoints),
    ];
    // Names are checked against every HTTP variant, so one list serves scenarios 1 and 2.
    const known = tracingVariants(endpoints, {
      deno: true,
      comparisons: true,
      compare: settings.compare,
      json: true,
      logs: true,
    });
    for (const variant of selectVariants(all, settings.variants, [...known, ...all])) {
      const dataDir = await Deno.makeTempDir({ dir: ctx.dataDir, prefix: `${kind}-` });
      const env = await databases.envFor(variant, kind);
      const profiles = settings.profile
        ? await Deno.makeTempDir({ dir: ctx.dataDir, prefix: "profile-" })
        : undefined;
      const flags = [...variant.flags ?? [], ...profileFlags(profiles)];
      const { root } = variant;
      const user = await startService("user", { env, dataDir, cores, flags, root });
      const processes = [user];
      variants.push({ name: variant.name, processes, target: user, profiles, requests: 0 });
      await seedUsers(user.url);
      if (kind === "chain") {
        const order = await startService("order", {
          env: { ...env, USER_SERVICE_URL: user.url },
          dataDir,
          cores,
          flags,
          root,
        });
        processes.unshift(order);
        variants[variants.length - 1]!.target = order;
      }
    }
    const paths = Array.from({ length: USERS }, (_, i) => `/users/bench-user-${(i * 37) % USERS}`);
    await interleave(ctx, variants, async (variant, { warmup }) => {
      const seconds = warmup ? settings.warmupSeconds : settings.httpSeconds;
      const rss = sampleRss(variant.processes);
      const cpuBefore = await cpuSeconds(variant.processes);
      const result = await runLoadProcess(
        kind === "http"
          ? {
            url: variant.target.url,
            paths,
            connections: settings.httpConnections,
            durationSeconds: seconds,
          }
          : {
            url: variant.target.url,
            method: "POST",
            paths: ["/orders"],
            json: { username: "bench-user-7", item: "book", quantity: 2, unit_price: 9.99 },
            connections: settings.httpConnections,
            durationSeconds: seconds,
          },
        cores,
      );
      const cpu = await cpuSeconds(variant.processes) - cpuBefore;
      const peaks = await rss.stop();
      variant.requests += result.ok;
      if (warmup) return;
      const key = keyFor(scenario, variant.name);
      const ratioTo = ratioBase(variant.name);
      ctx.results.add(key("throughput", "req/s"), result.okPerSecond, { ratioTo });
      // Cost per request independent of the load generator's ceiling: server CPU time / 2xx.
      ctx.results.add(key("server CPU per request", "µs"), (cpu * 1e6) / result.ok, { ratioTo });
      ctx.results.add(key("latency p50", "ms"), result.p50Ms);
      ctx.results.add(key("latency p99", "ms"), result.p99Ms);
      ctx.results.add(key("errors", "count"), result.non2xx + result.errors + result.timeouts);
      variant.processes.forEach((process, i) => {
        ctx.results.add(key(`RSS peak ${process.name}`, "MB"), peaks[i]!);
      });
    });
    for (const variant of variants) {
      await recordSpanTotals(ctx, scenario, variant);
      await recordLogTotals(ctx, scenario, variant);
    }
  } finally {
    await stopAll(variants.flatMap((variant) => variant.processes));
    await databases.drop();
  }
  for (const variant of variants) await recordProfile(ctx, scenario, variant);
}

/**
 * The variants of `all` that `--variants` names (untraced always, as every ratio needs it), else
 * all; a name none of `known` has is an error.
 */
export function selectVariants(
  all: readonly Variant[],
  names: readonly string[] | undefined,
  known: readonly Variant[],
): readonly Variant[] {
  if (names === undefined) return all;
  const unknown = names.filter((name) => !known.some((variant) => variant.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown variant "${unknown.join(";")}": expected some of ${
        [...new Set(known.map((variant) => variant.name))].join("; ")
      }`,
    );
  }
  return all.filter((variant) => variant.name === UNTRACED || names.includes(variant.name));
}

async function recordProfile(ctx: BenchContext, scenario: string, variant: HttpVariant) {
  if (variant.profiles === undefined || variant.requests === 0) return;
  const summary = await describeProfiles(variant.profiles, variant.requests, "request");
  ctx.results.note(`CPU profile ${scenario}, ${variant.name}: ${summary}`);
}

/** Records spans exported/created, drops and shed traces (warm-up included) of a variant's processes. */
export async function recordSpanTotals(
  ctx: BenchContext,
  scenario: string,
  variant: RunningVariant,
): Promise<void> {
  let created = 0;
  let exported = 0;
  let lost = 0;
  let shed = 0;
  let seen = false;
  for (const process of variant.processes) {
    const stats = await settledSpanStats(process.url, ctx.settings.quiesceMaxMs * 2);
    if (stats === undefined) continue;
    seen = true;
    created += spansCreated(stats);
    exported += stats.exported;
    lost += stats.dropped + stats.exportFailed;
    shed += stats.shed;
  }
  if (!seen) return;
  const key = keyFor(scenario, variant.name);
  ctx.results.add(key("spans created", "count"), created);
  ctx.results.add(key("spans exported / created", "ratio"), created === 0 ? 1 : exported / created);
  ctx.results.add(key("spans dropped or failed", "count"), lost);
  // Traces the export gate did not record because the pipeline was full or failing.
  ctx.results.add(key("traces shed: local roots not recorded", "count"), shed);
}

/** Records log records exported and lost (dropped, failed or shed) by a variant that ships logs. */
async function recordLogTotals(
  ctx: BenchContext,
  scenario: string,
  variant: RunningVariant,
): Promise<void> {
  let exported = 0;
  let lost = 0;
  let seen = false;
  for (const process of variant.processes) {
    const stats = await readLogStats(process.url);
    if (stats === undefined) continue;
    seen = true;
    exported += stats.exported;
    lost += stats.dropped + stats.exportFailed + stats.shed;
  }
  if (!seen) return;
  const key = keyFor(scenario, variant.name);
  ctx.results.add(key("log records exported", "count"), exported);
  ctx.results.add(key("log records dropped, failed or shed", "count"), lost);
}
