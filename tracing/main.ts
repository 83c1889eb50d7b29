/** Starts the tracing service: OTLP/HTTP ingest on OTLP_PORT, query API on PORT. */
import { join } from "node:path";
import { startService } from "../lib/config/start.ts";
import { createIngestApp, createQueryApp } from "./app.ts";
import { loadConfig, TRACING_SPEC } from "./config.ts";
import { openTracingParts } from "./parts.ts";
import { WriteAheadLog } from "./ingest/wal.ts";
import { replayWal } from "./ingest/wal_replay.ts";
import { ByteBudget } from "../lib/http/byte_budget.ts";

await startService({
  spec: TRACING_SPEC,
  loadConfig,
  async start({ config, logger, telemetry }) {
    if (config.selfExportDisabledReason !== undefined) {
      logger.info("Own spans are not exported", { reason: config.selfExportDisabledReason });
    }
    await Deno.mkdir(config.dataDir, { recursive: true });
    const wal = config.wal.enabled
      ? await WriteAheadLog.open(join(config.dataDir, "wal"), { sync: config.wal.sync })
      : undefined;
    const parts = openTracingParts(config, {
      logger,
      path: join(config.dataDir, "traces.db"),
      ...(wal === undefined ? {} : { wal }),
    });
    // What a crash left unwritten is stored before either port listens.
    if (wal !== undefined) await replayWal(wal, { pipeline: parts.pipeline, logger });
    const ingest = createIngestApp({
      pipeline: parts.pipeline,
      logger,
      maxBodyBytes: config.otlpMaxBodyBytes,
      budget: new ByteBudget(config.otlpMaxInflightBytes),
      token: config.ingestToken,
      ...(wal === undefined ? {} : { wal }),
    });
    const app = createQueryApp({
      ...parts,
      logger,
      telemetry,
      maxBodyBytes: config.maxBodyBytes,
      writeToken: config.ingestToken,
      readToken: config.queryToken,
    });
    return {
      app,
      listeners: [{ app: ingest, port: config.otlpPort, api: "otlp" }],
      closers: parts.closers,
    };
  },
});
