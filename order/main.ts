/** Starts the order service. */
import { startService } from "../lib/config/start.ts";
import { openStoreOrExit } from "../lib/store_database.ts";
import { createTracedFetch } from "../lib/telemetry/traced_fetch.ts";
import { createUserClient } from "../user/client.ts";
import { FaultRegistry } from "../lib/faults/registry.ts";
import { createApp } from "./app.ts";
import { ORDER_FAULTS } from "./faults.ts";
import { loadConfig, ORDER_SPEC } from "./config.ts";
import { createPostgresOrderStore } from "./postgres_store.ts";
import { createOrderStore } from "./store.ts";

await startService({
  spec: ORDER_SPEC,
  loadConfig,
  async start({ config, logger, telemetry }) {
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
      faults: new FaultRegistry(ORDER_FAULTS, { logger, initial: config.faults.initial }),
      faultsToken: config.faults.token,
    });
    return { app, closers: [opened.closer] };
  },
});
