/** Starts the user service. */
import { join } from "node:path";
import { createLogger } from "../lib/log.ts";
import { serveApp } from "../lib/http/serve.ts";
import { loadConfigOrExit, logConfig } from "../lib/config/start.ts";
import { openDatabase } from "../lib/sqlite.ts";
import { startTelemetry } from "../lib/telemetry/setup.ts";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createUserStore } from "./store.ts";
import { handleCliFlags } from "../lib/config/cli.ts";
import { CLI_SPECS } from "../lib/config/cli_variables.ts";

await handleCliFlags(CLI_SPECS.user);
const config = loadConfigOrExit("user", loadConfig);
const logger = createLogger({
  service: config.telemetry.serviceName,
  level: config.logLevel,
  format: config.logFormat,
});
logConfig(logger, config);
const telemetry = startTelemetry(config.telemetry, { logger });

Deno.mkdirSync(config.dataDir, { recursive: true });
const db = openDatabase(join(config.dataDir, "users.db"), { tracer: telemetry.tracer });
const store = createUserStore(db);

const app = createApp({
  store,
  logger,
  telemetry,
  maxBodyBytes: config.maxBodyBytes,
  readiness: { sqlite: () => db.ping() },
});
serveApp(app, {
  ...config,
  logger,
  telemetry,
  closers: [{ name: "sqlite", close: () => db.close() }],
});
