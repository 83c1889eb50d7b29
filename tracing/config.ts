/** The tracing service's settings, read once from env. */
import { createEnvReader, type Env } from "../lib/config/env_reader.ts";
import { readServiceConfig, type ServiceConfig } from "../lib/config/service_config.ts";
import { type AlertRule, parseAlertRules } from "./alerts/rule.ts";

/** Everything the tracing service needs at start. */
export interface TracingConfig extends ServiceConfig {
  /** OTLP_PORT: the OTLP/HTTP ingest port (0 picks a free one). */
  readonly otlpPort: number;
  /** OTLP_MAX_BODY_BYTES: the largest OTLP body accepted, compressed or after gunzip. */
  readonly otlpMaxBodyBytes: number;
  /** INGEST_TOKEN: when set, OTLP requests need `authorization: Bearer <token>`. */
  readonly ingestToken: string | undefined;
  readonly store: {
    /** RETENTION_MAX_AGE_HOURS: spans older than this are deleted. */
    readonly maxAgeMs: number;
    /** RETENTION_MAX_MB: above this database size the oldest traces are deleted. */
    readonly maxBytes: number;
    /** RETENTION_INTERVAL_MS: how often retention runs. */
    readonly retentionIntervalMs: number;
    /** WRITE_BATCH_SIZE: spans per write transaction. */
    readonly batchSize: number;
    /** WRITE_FLUSH_MS: the longest a span waits before it is written. */
    readonly flushMs: number;
    /** WRITE_QUEUE_MAX: queued spans above which ingest answers 503. */
    readonly queueMax: number;
  };
  readonly sampling: {
    /** SAMPLING_RATIO: share of ordinary traces kept, 0 to 1. */
    readonly ratio: number;
    /** SAMPLING_MAX_TRACES_PER_SECOND: cap on ordinary traces kept per second; 0 means none. */
    readonly maxTracesPerSecond: number;
    /** SAMPLING_LATENCY_THRESHOLD_MS: traces with a span at least this slow are always kept. */
    readonly latencyThresholdMs: number;
    /** SAMPLING_DECISION_WAIT_MS: how long a trace's spans are held before the decision. */
    readonly decisionWaitMs: number;
  };
  readonly spanApi: {
    /** OPEN_SPAN_TTL_MS: an open span not ended by then is ended with an error status. */
    readonly ttlMs: number;
    /** OPEN_SPAN_MAX: open spans above this get 503. */
    readonly maxOpen: number;
  };
  readonly alerts: {
    /** ALERT_RULES: a JSON array of rules. */
    readonly rules: readonly AlertRule[];
    /** ALERT_INTERVAL_MS: how often the rules are evaluated. */
    readonly intervalMs: number;
    /** ALERT_WEBHOOK_URL: firing and resolved transitions are POSTed here. */
    readonly webhookUrl: string | undefined;
  };
  readonly forward: {
    /** FORWARD_ENDPOINTS: comma-separated OTLP/HTTP base URLs that receive a copy. */
    readonly endpoints: readonly string[];
    /** FORWARD_QUEUE_SIZE: requests queued per endpoint before drops. */
    readonly queueSize: number;
    /** FORWARD_MAX_ATTEMPTS: tries per request, with exponential backoff. */
    readonly maxAttempts: number;
    /** FORWARD_TIMEOUT_MS: per try. */
    readonly timeoutMs: number;
  };
  /** Why self-export is off, when the OTLP endpoint points at this service. */
  readonly selfExportDisabledReason: string | undefined;
}

/** Reads and validates the config; throws one `ConfigError` listing every bad variable. */
export function loadConfig(env: Env): TracingConfig {
  const read = createEnvReader(env);
  const base = readServiceConfig(read, { service: "tracing", port: 16686 });
  const otlpPort = read.port("OTLP_PORT", 4318);
  const forwardEndpoints = (read.raw("FORWARD_ENDPOINTS") ?? "").split(",").map((s) => s.trim())
    .filter((s) => s !== "");
  for (const endpoint of forwardEndpoints) {
    if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
      read.problem("FORWARD_ENDPOINTS", endpoint, "comma-separated absolute http or https URLs");
    }
  }
  const rulesText = read.raw("ALERT_RULES");
  let rules: AlertRule[] = [];
  if (rulesText !== undefined) {
    const parsed = parseAlertRules(rulesText);
    if (typeof parsed === "string") read.problem("ALERT_RULES", rulesText, parsed);
    else rules = parsed;
  }
  const webhook = read.raw("ALERT_WEBHOOK_URL") === undefined
    ? undefined
    : read.url("ALERT_WEBHOOK_URL", "http://localhost");
  const config: TracingConfig = {
    ...base,
    otlpPort,
    otlpMaxBodyBytes: read.int("OTLP_MAX_BODY_BYTES", 8 * 1024 * 1024, {
      min: 1024,
      max: 256 * 1024 * 1024,
    }),
    ingestToken: read.raw("INGEST_TOKEN"),
    store: Object.freeze({
      maxAgeMs: read.number("RETENTION_MAX_AGE_HOURS", 72, { min: 0.001 }) * 3600_000,
      maxBytes: read.number("RETENTION_MAX_MB", 1024, { min: 1 }) * 1024 * 1024,
      retentionIntervalMs: read.int("RETENTION_INTERVAL_MS", 60_000, { min: 100 }),
      batchSize: read.int("WRITE_BATCH_SIZE", 2000, { min: 1, max: 100_000 }),
      flushMs: read.int("WRITE_FLUSH_MS", 100, { min: 1, max: 10_000 }),
      queueMax: read.int("WRITE_QUEUE_MAX", 200_000, { min: 1 }),
    }),
    sampling: Object.freeze({
      ratio: read.number("SAMPLING_RATIO", 1, { min: 0, max: 1 }),
      maxTracesPerSecond: read.number("SAMPLING_MAX_TRACES_PER_SECOND", 0, { min: 0 }),
      latencyThresholdMs: read.number("SAMPLING_LATENCY_THRESHOLD_MS", 1000, { min: 0 }),
      decisionWaitMs: read.int("SAMPLING_DECISION_WAIT_MS", 2000, { min: 0, max: 60_000 }),
    }),
    spanApi: Object.freeze({
      ttlMs: read.int("OPEN_SPAN_TTL_MS", 300_000, { min: 10 }),
      maxOpen: read.int("OPEN_SPAN_MAX", 10_000, { min: 1 }),
    }),
    alerts: Object.freeze({
      rules: Object.freeze(rules),
      intervalMs: read.int("ALERT_INTERVAL_MS", 15_000, { min: 10 }),
      webhookUrl: webhook,
    }),
    forward: Object.freeze({
      endpoints: Object.freeze(forwardEndpoints),
      queueSize: read.int("FORWARD_QUEUE_SIZE", 1000, { min: 1 }),
      maxAttempts: read.int("FORWARD_MAX_ATTEMPTS", 5, { min: 1, max: 100 }),
      timeoutMs: read.int("FORWARD_TIMEOUT_MS", 5000, { min: 1 }),
    }),
    selfExportDisabledReason: undefined,
  };
  const result = withoutSelfExport(config);
  if (result.selfExportDisabledReason !== undefined && config.telemetry.denoBuiltin) {
    read.problem(
      "OTEL_DENO",
      "true",
      "false while the OTLP endpoint is this service (Deno's exporter would loop into it)",
    );
  }
  read.assertValid();
  return Object.freeze(result);
}

/**
 * Our own spans must never be exported into this service: each ingest would then create a span
 * to ingest. When the OTLP endpoint is our own OTLP port on a local address, self-export is off.
 */
function withoutSelfExport(config: TracingConfig): TracingConfig {
  const local = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0", "[::]", config.hostname];
  const isSelf = (url: string) => {
    const endpoint = new URL(url);
    const port = Number(endpoint.port || (endpoint.protocol === "https:" ? 443 : 80));
    return port === config.otlpPort && local.includes(endpoint.hostname);
  };
  const endpoint = new URL(config.telemetry.tracesEndpoint);
  if (!isSelf(endpoint.href)) {
    // Log records would loop the same way: each ingest request logs a line to ship.
    if (!config.telemetry.logs.enabled || !isSelf(config.telemetry.logs.endpoint)) return config;
    const logs = Object.freeze({ ...config.telemetry.logs, enabled: false });
    return { ...config, telemetry: Object.freeze({ ...config.telemetry, logs }) };
  }
  return {
    ...config,
    telemetry: Object.freeze({ ...config.telemetry, disabled: true }),
    selfExportDisabledReason:
      `The OTLP endpoint ${endpoint.origin} is this service's own OTLP port`,
  };
}
