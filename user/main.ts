/** Starts the user service. */
import { join } from "node:path";
import { startService } from "../lib/config/start.ts";
import { openDatabase } from "../lib/sqlite.ts";
import { createApp } from "./app.ts";
import { loadConfig, USER_SPEC } from "./config.ts";
import { createUserStore } from "./store.ts";

await startService({
  spec: USER_SPEC,
  loadConfig,
  start({ config, logger, telemetry }) {
    Deno.mkdirSync(config.dataDir, { recursive: true });
    const db = openDatabase(join(config.dataDir, "users.db"), { tracer: telemetry.tracer });
    const app = createApp({
      store: createUserStore(db),
      logger,
      telemetry,
      maxBodyBytes: config.maxBodyBytes,
      readiness: { sqlite: () => db.ping() },
    });
    return { app, closers: [{ name: "sqlite", close: () => db.close() }] };
  },
});
