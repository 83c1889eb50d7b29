/** Starts the order service. */
import { join } from "node:path";
import { createLogger } from "../lib/log.ts";
import { serveApp } from "../lib/http/serve.ts";
import { openDatabase } from "../lib/sqlite.ts";
import { loadConfigOrExit, logConfig } from "../lib/config/start.ts";
import { startTelemetry } from "../lib/telemetry/setup.ts";
import { createTracedFetch } from "../lib/telemetry/traced_fetch.ts";
import { createUserClient } from "../user/client.ts";
import { createApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createOrderStore } from "./store.ts";
import { handleCliFlags } from "../lib/config/cli.ts";
import { CLI_SPECS } from "../lib/config/cli_variables.ts";

await handleCliFlags(CLI_SPECS.order);
const config = loadConfigOrExit("order", loadConfig);
const logger = createLogger({
  service: config.telemetry.serviceName,
  level: config.logLevel,
  format: config.logFormat,
});
logConfig(logger, config);
const telemetry = startTelemetry(config.telemetry, { logger });

Deno.mkdirSync(config.dataDir, { recursive: true });
const db = openDatabase(join(config.dataDir, "orders.db"), { tracer: telemetry.tracer });
const fetch = createTracedFetch({ ...telemetry, timeoutMs: config.userServiceTimeoutMs });
const users = createUserClient({ baseUrl: config.userServiceUrl, fetch });

const app = createApp({
  store: createOrderStore(db),
  users,
  logger,
  telemetry,
  maxBodyBytes: config.maxBodyBytes,
  readiness: { sqlite: () => db.ping(), user: () => users.reachable() },
});
serveApp(app, {
  ...config,
  logger,
  telemetry,
  closers: [{ name: "sqlite", close: () => db.close() }],
});
