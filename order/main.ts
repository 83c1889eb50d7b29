/** Starts the order service. */
import { createLogger } from "../lib/log.ts";
import { serveApp } from "../lib/http/serve.ts";
import { openStoreOrExit } from "../lib/store_database.ts";
import { loadConfigOrExit, logConfig } from "../lib/config/start.ts";
import { startTelemetry } from "../lib/telemetry/setup.ts";
import { createTracedFetch } from "../lib/telemetry/traced_fetch.ts";
import { createUserClient } from "../user/client.ts";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createPostgresOrderStore } from "./postgres_store.ts";
import { createOrderStore } from "./store.ts";
import { handleCliFlags } from "../lib/config/cli.ts";
import { CLI_SPECS } from "../lib/config/cli_variables.ts";

await handleCliFlags(CLI_SPECS.order);
const config = loadConfigOrExit("order", loadConfig);
const logger = createLogger({ service: config.telemetry.serviceName, level: config.logLevel });
logConfig(logger, config);
const telemetry = startTelemetry(config.telemetry, { logger });

const opened = await openStoreOrExit({
  ...config,
  tracer: telemetry.tracer,
  logger,
  sqliteFile: "orders.db",
  sqlite: createOrderStore,
  postgres: createPostgresOrderStore,
});
const fetch = createTracedFetch({ ...telemetry, timeoutMs: config.userServiceTimeoutMs });
const users = createUserClient({ baseUrl: config.userServiceUrl, fetch });

const app = createApp({
  store: opened.store,
  users,
  logger,
  telemetry,
  maxBodyBytes: config.maxBodyBytes,
  readiness: { ...opened.readiness, user: () => users.reachable() },
  health: opened.health,
});
serveApp(app, {
  ...config,
  logger,
  telemetry,
  closers: [opened.closer],
});
