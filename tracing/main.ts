/** Starts the tracing service: OTLP/HTTP ingest on OTLP_PORT, query API on PORT. */
import { startService } from "../lib/config/start.ts";
import { ByteBudget } from "../lib/http/byte_budget.ts";
import { createIngestApp, createQueryApp } from "./app.ts";
import { loadConfig, TRACING_SPEC } from "./config.ts";
import { openTracingData } from "./data_dir.ts";

await startService({
  spec: TRACING_SPEC,
  loadConfig,
  async start({ config, logger, telemetry }) {
    if (config.selfExportDisabledReason !== undefined) {
      logger.info("Own spans are not exported", { reason: config.selfExportDisabledReason });
    }
    const data = await openTracingData(config, { logger });
    const ingest = createIngestApp({
      ...data,
      logger,
      maxBodyBytes: config.otlpMaxBodyBytes,
      budget: new ByteBudget(config.otlpMaxInflightBytes),
      token: config.ingestToken,
    });
    const app = createQueryApp({
      ...data,
      logger,
      telemetry,
      maxBodyBytes: config.maxBodyBytes,
      writeToken: config.ingestToken,
      readToken: config.queryToken,
    });
    return {
      app,
      listeners: [{ app: ingest, port: config.otlpPort, api: "otlp" }],
      closers: data.closers,
    };
  },
});
