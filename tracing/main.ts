/** Starts the tracing service: OTLP/HTTP ingest on OTLP_PORT, query API on PORT. */
import { join } from "node:path";
import { startService } from "../lib/config/start.ts";
import { createIngestApp, createQueryApp } from "./app.ts";
import { loadConfig, TRACING_SPEC } from "./config.ts";
import { openTracingParts } from "./parts.ts";

await startService({
  spec: TRACING_SPEC,
  loadConfig,
  async start({ config, logger, telemetry }) {
    if (config.selfExportDisabledReason !== undefined) {
      logger.info("Own spans are not exported", { reason: config.selfExportDisabledReason });
    }
    await Deno.mkdir(config.dataDir, { recursive: true });
    const parts = openTracingParts(config, { logger, path: join(config.dataDir, "traces.db") });
    const ingest = createIngestApp({
      pipeline: parts.pipeline,
      logger,
      maxBodyBytes: config.otlpMaxBodyBytes,
      token: config.ingestToken,
    });
    const app = createQueryApp({ ...parts, logger, telemetry, maxBodyBytes: config.maxBodyBytes });
    return {
      app,
      listeners: [{ app: ingest, port: config.otlpPort, api: "otlp" }],
      closers: parts.closers,
    };
  },
});
