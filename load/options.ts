/** The load generator's command line: what to run, how fast, how long, and against which URLs. */
import { parseArgs } from "node:util";
import { DEFAULT_WEIGHTS, SCENARIO_NAMES, type ScenarioName, type Targets } from "./scenarios.ts";

/** A validated command line. */
export interface LoadOptions {
  /** Requests started per second. */
  rate: number;
  durationSeconds: number;
  /** Most requests in flight at once; more that fall due are dropped and counted. */
  concurrency: number;
  timeoutMs: number;
  weights: Readonly<Record<ScenarioName, number>>;
  targets: Targets;
  /** Whether non-loopback targets are allowed (`--allow-remote`). */
  allowRemote: boolean;
}

/** What `--help` prints. */
export const USAGE = `deno task load [options]: open-loop load over user, order and producer

  --rate=N           requests started per second (default 10, at most 1000)
  --duration=S       seconds to run (default 30, at most 3600)
  --concurrency=N    most requests in flight; more due ones are dropped (default 50)
  --timeout-ms=MS    per request (default 5000)
  --mix=NAME=W,...   scenario weights; 0 leaves one out (default ${
  Object.entries(DEFAULT_WEIGHTS).map(([name, weight]) => `${name}=${weight}`).join(",")
})
  --user-url=URL     default http://127.0.0.1:3001
  --order-url=URL    default http://127.0.0.1:3000
  --producer-url=URL default http://127.0.0.1:8085
  --allow-remote     allow targets that are not loopback addresses

Its own CLIENT spans start the traces (OTEL_* variables, service name "load"), with baggage
synthetic_request=true, which every service copies onto its spans.`;

/** Raised for a bad command line; the message lists every problem. */
export class LoadOptionsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid options:\n  ${problems.join("\n  ")}`);
    this.name = "LoadOptionsError";
  }
}

/** Parses `args`; throws `LoadOptionsError`. Returns `undefined` for `--help`. */
export function parseLoadOptions(args: readonly string[]): LoadOptions | undefined {
  const { values } = parseArgs({
    args: [...args],
    strict: false,
    options: {
      rate: { type: "string", default: "10" },
      duration: { type: "string", default: "30" },
      concurrency: { type: "string", default: "50" },
      "timeout-ms": { type: "string", default: "5000" },
      mix: { type: "string", default: "" },
      "user-url": { type: "string", default: "http://127.0.0.1:3001" },
      "order-url": { type: "string", default: "http://127.0.0.1:3000" },
      "producer-url": { type: "string", default: "http://127.0.0.1:8085" },
      "allow-remote": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help === true) return undefined;
  const problems: string[] = [];
  const known = new Set([
    "rate",
    "duration",
    "concurrency",
    "timeout-ms",
    "mix",
    "user-url",
    "order-url",
    "producer-url",
    "allow-remote",
    "help",
  ]);
  for (const name of Object.keys(values)) {
    if (!known.has(name)) problems.push(`Unknown option "--${name}": see --help`);
  }
  const number = (name: string, min: number, max: number, integer = false): number => {
    const text = String(values[name]);
    const value = Number(text);
    if (
      !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))
    ) {
      problems.push(
        `Invalid --${name} "${text}": expected ${
          integer ? "an integer" : "a number"
        } from ${min} to ${max}`,
      );
    }
    return value;
  };
  const allowRemote = values["allow-remote"] === true;
  const target = (name: string): string => {
    const text = String(values[name]);
    if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) {
      problems.push(`Invalid --${name} "${text}": expected an absolute http or https URL`);
      return text;
    }
    const url = new URL(text);
    if (!allowRemote && !isLoopback(url.hostname)) {
      problems.push(
        `Refusing --${name} "${text}": not a loopback address; pass --allow-remote to load it`,
      );
    }
    return text.replace(/\/+$/, "");
  };
  const options: LoadOptions = {
    rate: number("rate", 0.1, 1000),
    durationSeconds: number("duration", 1, 3600),
    concurrency: number("concurrency", 1, 1000, true),
    timeoutMs: number("timeout-ms", 1, 60_000, true),
    weights: parseMix(String(values.mix), problems),
    targets: {
      user: target("user-url"),
      order: target("order-url"),
      producer: target("producer-url"),
    },
    allowRemote,
  };
  if (problems.length > 0) throw new LoadOptionsError(problems);
  return options;
}

function parseMix(text: string, problems: string[]): Record<ScenarioName, number> {
  const weights = { ...DEFAULT_WEIGHTS };
  for (const entry of text.split(",").map((part) => part.trim()).filter((part) => part !== "")) {
    const [name = "", weight = ""] = entry.split("=");
    const value = Number(weight);
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
      problems.push(`Invalid --mix entry "${entry}": expected one of ${SCENARIO_NAMES.join(", ")}`);
    } else if (weight.trim() === "" || !Number.isFinite(value) || value < 0) {
      problems.push(`Invalid --mix entry "${entry}": expected a weight of at least 0`);
    } else weights[name as ScenarioName] = value;
  }
  if (Object.values(weights).every((weight) => weight === 0)) {
    problems.push(`Invalid --mix "${text}": every weight is 0`);
  }
  return weights;
}

/** Whether `hostname` (as `URL` spells it) is a loopback address. */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Picks scenarios with the chances their weights give. */
export function weightedPicker(
  weights: Readonly<Record<string, number>>,
  random: () => number = Math.random,
): () => string {
  const entries = Object.entries(weights).filter(([, weight]) => weight > 0);
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  return () => {
    let left = random() * total;
    for (const [name, weight] of entries) {
      left -= weight;
      if (left < 0) return name;
    }
    return entries.at(-1)![0];
  };
}
