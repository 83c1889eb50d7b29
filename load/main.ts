/**
 * `deno task load`: open-loop load over the services with a weighted mix of scenarios, a progress
 * line while it runs and a summary table per scenario at the end. Bounded (`--duration`,
 * `--concurrency`) and loopback-only unless `--allow-remote`.
 */
import { context, propagation } from "@opentelemetry/api";
import { createEnvReader } from "../lib/config/env_reader.ts";
import { createLogger } from "../lib/log.ts";
import { readTelemetryConfig } from "../lib/telemetry/config.ts";
import { startTelemetry } from "../lib/telemetry/setup.ts";
import { createTracedFetch } from "../lib/telemetry/traced_fetch.ts";
import { VERSION } from "../lib/version.ts";
import { LoadOptionsError, parseLoadOptions, USAGE, weightedPicker } from "./options.ts";
import { type Progress, runOpenLoop } from "./runner.ts";
import {
  KnownUsers,
  runScenario,
  SCENARIO_NAMES,
  type ScenarioName,
  scenarioRequest,
} from "./scenarios.ts";
import { formatSummary, summarize } from "./summary.ts";

const encoder = new TextEncoder();
const write = (stream: { writeSync(p: Uint8Array): number }, text: string) =>
  stream.writeSync(encoder.encode(text));

let options;
try {
  options = parseLoadOptions(Deno.args);
} catch (error) {
  if (!(error instanceof LoadOptionsError)) throw error;
  write(Deno.stderr, `${error.message}\n`);
  Deno.exit(64);
}
if (options === undefined) {
  write(Deno.stdout, `${USAGE}\n`);
  Deno.exit(0);
}

const read = createEnvReader(Deno.env.toObject());
const telemetryConfig = readTelemetryConfig(read, { serviceName: "load", serviceVersion: VERSION });
read.assertValid();
const logger = createLogger({ service: "load", level: "warn" });
const telemetry = startTelemetry(telemetryConfig, { logger });
const fetch = createTracedFetch({ ...telemetry, timeoutMs: options.timeoutMs });
// Every trace the run starts carries it, and every service copies it onto its spans.
const synthetic = propagation.setBaggage(
  context.active(),
  propagation.createBaggage({ synthetic_request: { value: "true" } }),
);
const users = new KnownUsers({ prefix: `load-${Date.now().toString(36)}-` });
const targets = options.targets;
const send = (scenario: string) =>
  context.with(
    synthetic,
    () => runScenario(scenarioRequest(scenario as ScenarioName, targets, users), fetch),
  );

const interactive = Deno.stderr.isTerminal();
const showProgress = (p: Progress) => {
  const line = `${(p.elapsedMs / 1000).toFixed(0).padStart(4)}s/${options.durationSeconds}s  ` +
    `started ${p.started}  done ${p.finished}  errors ${p.errors}  in flight ${p.inFlight}  ` +
    `dropped ${p.dropped}`;
  write(Deno.stderr, interactive ? `\r${line}\x1b[K` : `${line}\n`);
};

const controller = new AbortController();
const stop = () => controller.abort();
Deno.addSignalListener("SIGINT", stop);
write(
  Deno.stderr,
  `Load: ${options.rate}/s for ${options.durationSeconds}s, at most ${options.concurrency} in flight, ` +
    `against user ${targets.user}, order ${targets.order}, producer ${targets.producer}\n`,
);
const result = await runOpenLoop({
  rate: options.rate,
  durationMs: options.durationSeconds * 1000,
  concurrency: options.concurrency,
  pick: weightedPicker(options.weights),
  send,
  onProgress: showProgress,
  signal: controller.signal,
});
Deno.removeSignalListener("SIGINT", stop);
if (interactive) write(Deno.stderr, "\n");
const rows = summarize(result.outcomes, SCENARIO_NAMES);
write(Deno.stdout, `${formatSummary(rows)}\n`);
write(
  Deno.stdout,
  `${result.outcomes.length} requests in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
    `(${(result.outcomes.length / (result.elapsedMs / 1000)).toFixed(1)}/s), ` +
    `${result.dropped} dropped at the concurrency cap\n`,
);
await telemetry.shutdown(5000);
const total = rows.at(-1)!;
Deno.exit(total.count > 0 && total.errors === total.count ? 1 : 0);
