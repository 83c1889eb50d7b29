/** Dispatches a scenario name to its module. */
import type { BenchContext } from "./context.ts";
import { runFootprintScenario } from "./scenario_footprint.ts";
import { runHttpScenario } from "./scenario_http.ts";
import { runIngestScenario } from "./scenario_ingest.ts";
import { runInprocessScenario } from "./scenario_inprocess.ts";
import { runMessagingScenario } from "./scenario_messaging.ts";
import { runOverloadScenario } from "./scenario_overload.ts";
import type { ScenarioName } from "./settings.ts";

/** Runs one scenario, recording into `ctx.results`. */
export async function runScenario(ctx: BenchContext, name: ScenarioName): Promise<void> {
  switch (name) {
    case "http":
      return await runHttpScenario(ctx, "http");
    case "chain":
      return await runHttpScenario(ctx, "chain");
    case "messaging":
      return await runMessagingScenario(ctx);
    case "ingest":
      return await runIngestScenario(ctx);
    case "footprint":
      return await runFootprintScenario(ctx);
    case "overload":
      return await runOverloadScenario(ctx);
    case "inprocess":
      return await runInprocessScenario(ctx);
  }
}
