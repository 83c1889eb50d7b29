/** Benchmark settings per mode, from the command line. */

/** How long and how hard each scenario runs. */
export interface Settings {
  mode: "full" | "quick" | "smoke";
  /** Measured repeats per variant, run interleaved across variants. */
  repeats: number;
  /** One discarded run per variant before the measured ones. */
  warmupSeconds: number;
  /** HTTP scenarios: seconds per run and connections held open by the load generator. */
  httpSeconds: number;
  httpConnections: number;
  /** Messaging: seconds of publishing per run at `messagingRate` messages/s offered. */
  messagingSeconds: number;
  messagingRate: number;
  /** Consumer prefetch, the same for ours and the amqplib baseline. */
  prefetch: number;
  /** Ingest: seconds per run, connections, spans per request, spans stored before queries. */
  ingestSeconds: number;
  ingestConnections: number;
  ingestBatch: number;
  querySpans: number;
  querySeconds: number;
  /** Overload: seconds per run against a dead OTLP endpoint. */
  overloadSeconds: number;
  /** In-process (scenario 7): requests per run through `app.request()`. */
  inprocessRequests: number;
  /** Footprint: how long a fresh service sits idle before its memory is read. */
  idleMs: number;
  /** Longest wait after a run for the variant's span queue to empty. */
  quiesceMaxMs: number;
  /** Scenarios to run. */
  scenarios: ScenarioName[];
  /** Whether Deno's built-in telemetry is a variant of the HTTP scenarios (`--deno` forces it). */
  denoMode: boolean;
  /**
   * Whether the HTTP scenarios also run the official serializer, a plain SDK set-up and the
   * tracing service as the endpoint, beside the discard sink.
   */
  comparisons: boolean;
  /** `--profile`: CPU-profile the HTTP scenarios' services and report self time by package. */
  profile: boolean;
  /** `--compare=<dir>`: another checkout whose services run as extra HTTP variants. */
  compare?: string;
  /** `--variants=a;b`: run only the HTTP scenarios' variants of these names (untraced always). */
  variants?: string[];
}

/** The scenarios, in run order. */
export const SCENARIOS = [
  "http",
  "chain",
  "messaging",
  "ingest",
  "footprint",
  "overload",
  "inprocess",
] as const;

/** One of `SCENARIOS`. */
export type ScenarioName = typeof SCENARIOS[number];

const FULL: Omit<Settings, "mode" | "scenarios" | "profile"> = {
  repeats: 3,
  warmupSeconds: 3,
  httpSeconds: 8,
  httpConnections: 32,
  messagingSeconds: 5,
  messagingRate: 10_000,
  prefetch: 100,
  ingestSeconds: 8,
  ingestConnections: 4,
  ingestBatch: 512,
  querySpans: 1_000_000,
  querySeconds: 5,
  overloadSeconds: 15,
  inprocessRequests: 20_000,
  idleMs: 2000,
  quiesceMaxMs: 3000,
  denoMode: true,
  comparisons: true,
};

const QUICK: Omit<Settings, "mode" | "scenarios" | "profile"> = {
  ...FULL,
  warmupSeconds: 0.3,
  httpSeconds: 1,
  messagingSeconds: 1,
  messagingRate: 5000,
  ingestSeconds: 1,
  querySpans: 50_000,
  querySeconds: 1,
  overloadSeconds: 1,
  inprocessRequests: 5000,
  idleMs: 500,
  quiesceMaxMs: 300,
  // Deno's built-in mode only in the full run, to stay under two minutes.
  denoMode: false,
};

const SMOKE: Omit<Settings, "mode" | "scenarios" | "profile"> = {
  ...QUICK,
  // Every scenario runs in CI's test suite: one repeat proves the harness as well as three.
  repeats: 1,
  warmupSeconds: 0.3,
  httpSeconds: 0.5,
  httpConnections: 4,
  messagingSeconds: 1,
  messagingRate: 200,
  ingestSeconds: 0.5,
  ingestConnections: 1,
  ingestBatch: 64,
  querySpans: 2_000,
  querySeconds: 0.5,
  overloadSeconds: 1,
  inprocessRequests: 300,
  idleMs: 200,
  quiesceMaxMs: 500,
  denoMode: false,
  comparisons: false,
};

/**
 * Reads `--quick`, `--smoke`, `--profile`, `--deno`, `--compare=<dir>`, `--variants=a;b` (names
 * hold commas, hence the semicolons), `--http-seconds=N` (each HTTP run's length) and
 * `--scenarios=a,b`; throws on anything else.
 */
export function parseSettings(args: readonly string[]): Settings {
  let mode: Settings["mode"] = "full";
  let scenarios: ScenarioName[] = [...SCENARIOS];
  let profile = false;
  let deno: boolean | undefined;
  let compare: string | undefined;
  let variants: string[] | undefined;
  let httpSeconds: number | undefined;
  for (const arg of args) {
    if (arg === "--quick") mode = "quick";
    else if (arg === "--profile") profile = true;
    else if (arg === "--deno") deno = true;
    else if (arg.startsWith("--compare=")) compare = arg.slice("--compare=".length);
    else if (arg === "--smoke") mode = "smoke";
    else if (arg.startsWith("--http-seconds=")) {
      httpSeconds = Number(arg.slice("--http-seconds=".length));
      if (!(httpSeconds > 0 && httpSeconds <= 600)) {
        throw new Error(`Invalid ${arg}: expected seconds from 0 to 600`);
      }
    } else if (arg.startsWith("--variants=")) {
      variants = arg.slice("--variants=".length).split(";").map((name) => name.trim())
        .filter((name) => name !== "");
    } else if (arg.startsWith("--scenarios=")) {
      const names = arg.slice("--scenarios=".length).split(",").filter((name) => name !== "");
      const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
      if (unknown.length > 0 || names.length === 0) {
        throw new Error(
          `Invalid --scenarios "${names.join(",")}": expected some of ${SCENARIOS.join(", ")}`,
        );
      }
      scenarios = names as ScenarioName[];
    } else {
      throw new Error(
        `Unknown argument "${arg}": expected --quick, --smoke, --profile, --deno, --compare=<dir>, --variants=a;b, --http-seconds=N or --scenarios=a,b`,
      );
    }
  }
  const base = mode === "full" ? FULL : mode === "quick" ? QUICK : SMOKE;
  return {
    ...base,
    mode,
    scenarios,
    profile,
    compare,
    variants,
    httpSeconds: httpSeconds ?? base.httpSeconds,
    denoMode: deno ?? base.denoMode,
  };
}
