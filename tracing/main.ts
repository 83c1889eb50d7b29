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
import { createTracingMetrics } from "./metrics.ts";
import { handleCliFlags } from "../lib/config/cli.ts";
import { CLI_SPECS } from "../lib/config/cli_variables.ts";

await handleCliFlags(CLI_SPECS.tracing);
const config = loadConfigOrExit("tracing", loadConfig);
const logger = createLogger({
  service: config.service,
  level: config.logLevel,
  format: config.logFormat,
});
logConfig(logger, { ...config, ingestToken: config.ingestToken === undefined ? undefined : "***" });
if (config.selfExportDisabledReason !== undefined) {
  logger.info("Own spans are not exported", { reason: config.selfExportDisabledReason });
}
const telemetry = startTelemetry(config.telemetry, { logger });
await Deno.mkdir(config.dataDir, { recursive: true });
const store = openTraceStore(join(config.dataDir, "traces.db"));
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
});
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
    token: config.ingestToken,
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
    ],
  },
);
logger.info("Tracing ready", { otlp_port: ingest.addr.port, query_port: query.port });
