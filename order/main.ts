/** Starts the order service. */
import { join } from "node:path";
import { startService } from "../lib/config/start.ts";
import { openDatabase } from "../lib/sqlite.ts";
import { createTracedFetch } from "../lib/telemetry/traced_fetch.ts";
import { createUserClient } from "../user/client.ts";
import { createApp } from "./app.ts";
import { loadConfig, ORDER_SPEC } from "./config.ts";
import { createOrderStore } from "./store.ts";

await startService({
  spec: ORDER_SPEC,
  loadConfig,
  start({ config, logger, telemetry }) {
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
    return { app, closers: [{ name: "sqlite", close: () => db.close() }] };
  },
});
