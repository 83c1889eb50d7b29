/** Starts the user service. */
import { startService } from "../lib/config/start.ts";
import { openStoreOrExit } from "../lib/store_database.ts";
import { FaultRegistry } from "../lib/faults/registry.ts";
import { createApp } from "./app.ts";
import { USER_FAULTS } from "./faults.ts";
import { loadConfig, USER_SPEC } from "./config.ts";
import { createPostgresUserStore } from "./postgres_store.ts";
import { createUserStore } from "./store.ts";

await startService({
  spec: USER_SPEC,
  loadConfig,
  async start({ config, logger, telemetry }) {
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
      faults: new FaultRegistry(USER_FAULTS, { logger, initial: config.faults.initial }),
      faultsToken: config.faults.token,
    });
    return { app, closers: [opened.closer] };
  },
});
