/** Starts the tracing service: OTLP/HTTP ingest on OTLP_PORT, query API on PORT. */
import { join } from "node:path";
import { createLogger } from "../lib/log.ts";
import { createRegistry } from "../lib/http/metrics.ts";
import { serveApp } from "../lib/http/serve.ts";
import { loadConfigOrExit, logConfig } from "../lib/config/start.ts";
import { startTelemetry } from "../lib/telemetry/setup.ts";
import { createAlertEngine } from "./alerts/engine.ts";
import { createIngestApp, createQueryApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createForwarder } from "./pipeline/forwarder.ts";
import { createOpenSpans } from "./span_api/open_spans.ts";
import { createPipeline } from "./pipeline/pipeline.ts";
import { openTraceStore } from "./store/store.ts";
import { WriteAheadLog } from "./ingest/wal.ts";
import { replayWal } from "./ingest/wal_replay.ts";
import { ByteBudget } from "../lib/http/byte_budget.ts";
import { createTracingMetrics } from "./metrics.ts";
import { handleCliFlags } from "../lib/config/cli.ts";
import { CLI_SPECS } from "../lib/config/cli_variables.ts";

await handleCliFlags(CLI_SPECS.tracing);
const config = loadConfigOrExit("tracing", loadConfig);
const logger = createLogger({ service: config.service, level: config.logLevel });
const masked = (token: string | undefined) => token === undefined ? undefined : "***";
logConfig(logger, {
  ...config,
  ingestToken: masked(config.ingestToken),
  queryToken: masked(config.queryToken),
});
if (config.selfExportDisabledReason !== undefined) {
  logger.info("Own spans are not exported", { reason: config.selfExportDisabledReason });
}
const telemetry = startTelemetry(config.telemetry, { logger });
await Deno.mkdir(config.dataDir, { recursive: true });
const store = openTraceStore(join(config.dataDir, "traces.db"));
const wal = config.wal.enabled
  ? await WriteAheadLog.open(join(config.dataDir, "wal"), { sync: config.wal.sync })
  : undefined;
const registry = createRegistry();
const metrics = createTracingMetrics(registry);
const forwarder = createForwarder({
  ...config.forward,
  logger,
  onOutcome: (endpoint, outcome) => metrics.forwarded.inc({ endpoint, outcome }),
});
const pipeline = createPipeline({
  store,
  metrics,
  logger,
  forwarder,
  sampling: config.sampling,
  write: config.store,
  ...(wal === undefined ? {} : { onSettled: (items) => wal.settle(items) }),
});
if (wal !== undefined) await replayWal(wal, { pipeline, logger });
const openSpans = createOpenSpans({
  ...config.spanApi,
  finish: (span) => pipeline.acceptSpans([span]),
});
const alerts = createAlertEngine({ ...config.alerts, store, logger });
alerts.start();
const retain = () => store.enforceRetention(config.store);
const retention = setInterval(retain, config.store.retentionIntervalMs);

const ingest = Deno.serve(
  {
    hostname: config.hostname,
    port: config.otlpPort,
    onListen: ({ hostname, port }) => logger.info("Listening", { hostname, port, api: "otlp" }),
  },
  createIngestApp({
    pipeline,
    logger,
    maxBodyBytes: config.otlpMaxBodyBytes,
    budget: new ByteBudget(config.otlpMaxInflightBytes),
    token: config.ingestToken,
    ...(wal === undefined ? {} : { wal }),
  }).fetch,
);
const query = serveApp(
  createQueryApp({
    store,
    pipeline,
    openSpans,
    alerts,
    logger,
    telemetry,
    registry,
    maxBodyBytes: config.maxBodyBytes,
    writeToken: config.ingestToken,
    readToken: config.queryToken,
  }),
  {
    ...config,
    logger,
    telemetry,
    beforeDrain: [{ name: "otlp server", close: () => ingest.shutdown() }],
    closers: [
      { name: "open spans", close: () => openSpans.close() },
      { name: "alerts", close: () => alerts.close() },
      { name: "retention", close: () => clearInterval(retention) },
      { name: "pipeline", close: () => pipeline.close() },
      { name: "forwarder", close: () => forwarder.close() },
      { name: "store", close: () => store.close() },
      { name: "write-ahead log", close: () => wal?.close() },
    ],
  },
);
logger.info("Tracing ready", { otlp_port: ingest.addr.port, query_port: query.port });
