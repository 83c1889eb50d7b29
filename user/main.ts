/** Starts the user service. */
import { createLogger } from "../lib/log.ts";
import { serveApp } from "../lib/http/serve.ts";
import { loadConfigOrExit, logConfig } from "../lib/config/start.ts";
import { openStoreOrExit } from "../lib/store_database.ts";
import { startTelemetry } from "../lib/telemetry/setup.ts";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createPostgresUserStore } from "./postgres_store.ts";
import { createUserStore } from "./store.ts";
import { handleCliFlags } from "../lib/config/cli.ts";
import { CLI_SPECS } from "../lib/config/cli_variables.ts";

await handleCliFlags(CLI_SPECS.user);
const config = loadConfigOrExit("user", loadConfig);
const logger = createLogger({ service: config.telemetry.serviceName, level: config.logLevel });
logConfig(logger, config);
const telemetry = startTelemetry(config.telemetry, { logger });

const opened = await openStoreOrExit({
  ...config,
  tracer: telemetry.tracer,
  logger,
  sqliteFile: "users.db",
  sqlite: createUserStore,
  postgres: createPostgresUserStore,
});

const app = createApp({
  store: opened.store,
  logger,
  telemetry,
  maxBodyBytes: config.maxBodyBytes,
  readiness: opened.readiness,
  health: opened.health,
});
serveApp(app, { ...config, logger, telemetry, closers: [opened.closer] });
