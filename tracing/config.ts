/** The tracing service's settings, read once from env. */
import { createEnvReader, type Env } from "../lib/config/env_reader.ts";
import { bool, int, keyValueList, list, number, port, token, url } from "../lib/config/parsers.ts";
import {
  readServiceConfig,
  type ServiceConfig,
  serviceSpec,
} from "../lib/config/service_config.ts";
import { declareVariables, Invalid, type Parser } from "../lib/config/variables.ts";
import { type AlertRule, parseAlertRules } from "./alerts/rule.ts";
import type { IngestLimits } from "./ingest/limits.ts";
import { INGEST_LIMIT_VARIABLES, readIngestLimits } from "./ingest/limits_config.ts";

/** SERVICE_URLS: `name=url` pairs, each URL absolute http(s). */
function serviceUrls(): Parser<Record<string, string>> {
  const pairs = keyValueList();
  const isUrl = url();
  return (value) => {
    const parsed = pairs(value);
    if (parsed instanceof Invalid) {
      return new Invalid("comma-separated name=http://host:port pairs");
    }
    const bad = Object.entries(parsed).filter(([, target]) => isUrl(target) instanceof Invalid);
    return bad.length === 0 ? parsed : new Invalid(
      "comma-separated name=http://host:port pairs",
      bad.map(([name, target]) => `${name}=${target}`),
    );
  };
}

/** ALERT_RULES: a JSON array of rules. */
function alertRules(): Parser<AlertRule[]> {
  return (value) => {
    const parsed = parseAlertRules(value);
    return typeof parsed === "string" ? new Invalid(parsed) : parsed;
  };
}

/** The tracing service's own variables. */
export const TRACING_VARIABLES = declareVariables("tracing", {
  OTLP_PORT: {
    parse: port(),
    default: "4318",
    meaning: "OTLP/HTTP ingest port (`0` picks a free one)",
  },
  OTLP_MAX_BODY_BYTES: {
    parse: int({ min: 1024, max: 256 * 1024 * 1024 }),
    default: "8388608",
    meaning: "largest ingest body (8 MiB), as sent and after gunzip; inflating stops (413) as " +
      "soon as it passes",
  },
  OTLP_MAX_INFLIGHT_BYTES: {
    parse: int({ min: 2048, max: 4 * 1024 * 1024 * 1024 }),
    default: "67108864",
    meaning: "bytes of ingest bodies being read and inflated at once, over all requests " +
      "(64 MiB): each reserves its `content-length` (without one `OTLP_MAX_BODY_BYTES`), and " +
      "gzip `OTLP_MAX_BODY_BYTES` more, before reading; what does not fit is 503 with " +
      "`retry-after` at once; at least twice `OTLP_MAX_BODY_BYTES`",
  },
  INGEST_TOKEN: {
    parse: token(),
    secret: true,
    meaning: "when set, every write needs `authorization: Bearer <token>`: OTLP ingest, the " +
      "span API and seed aliases, alert rules; it also grants reads",
  },
  QUERY_TOKEN: {
    parse: token(),
    secret: true,
    meaning: "when set, reads of the query port (APIs, page, `/metrics`) need it or " +
      "`INGEST_TOKEN`; `/health` and `/ready` stay open",
  },
  WAL_ENABLED: {
    parse: bool(),
    default: "true",
    meaning: "log each accepted OTLP payload to `DATA_DIR/wal/` before answering, and replay " +
      "it at start",
  },
  WAL_SYNC: {
    parse: bool(),
    default: "false",
    meaning: "also `fdatasync` the log before answering: survives power loss, not only a " +
      "crash of the process",
  },
  RETENTION_MAX_AGE_HOURS: {
    parse: number({ min: 0.001 }),
    default: "72",
    meaning: "spans older than this are deleted",
  },
  RETENTION_MAX_MB: {
    parse: number({ min: 1 }),
    default: "1024",
    meaning: "above this database size the oldest spans are deleted first",
  },
  RETENTION_INTERVAL_MS: {
    parse: int({ min: 100 }),
    default: "60000",
    meaning: "how often retention runs",
  },
  WRITE_BATCH_SIZE: {
    parse: int({ min: 1, max: 100_000 }),
    default: "2000",
    meaning: "spans per write transaction",
  },
  WRITE_FLUSH_MS: {
    parse: int({ min: 1, max: 10_000 }),
    default: "100",
    meaning: "longest a span waits before it is written",
  },
  WRITE_QUEUE_MAX: {
    parse: int({ min: 1 }),
    default: "200000",
    meaning: "queued spans above which ingest answers 503 with `retry-after`",
  },
  SAMPLING_RATIO: {
    parse: number({ min: 0, max: 1 }),
    default: "1",
    meaning: "share of ordinary traces kept (tail sampling)",
  },
  SAMPLING_MAX_TRACES_PER_SECOND: {
    parse: number({ min: 0 }),
    default: "0",
    meaning: "cap on ordinary traces kept per second (`0`: no cap)",
  },
  SAMPLING_LATENCY_THRESHOLD_MS: {
    parse: number({ min: 0 }),
    default: "1000",
    meaning: "traces with a span this slow are always kept, as are traces with an error",
  },
  SAMPLING_DECISION_WAIT_MS: {
    parse: int({ min: 0, max: 60_000 }),
    default: "2000",
    meaning: "how long a trace is held before the decision; with the defaults (keep all) " +
      "spans pass straight through",
  },
  OPEN_SPAN_TTL_MS: {
    parse: int({ min: 10 }),
    default: "300000",
    meaning: "open span-API spans are ended with an error status after this",
  },
  OPEN_SPAN_MAX: {
    parse: int({ min: 1 }),
    default: "10000",
    meaning: "cap on open span-API spans",
  },
  ALERT_RULES: {
    parse: alertRules(),
    meaning: 'JSON array of `{"service","operation"?,"metric":"p50"|"p90"|"p95"|"p99"|' +
      '"error_rate","threshold","window_ms"?}`',
  },
  ALERT_MAX_RULES: {
    parse: int({ min: 1, max: 10_000 }),
    default: "200",
    meaning: "cap on alert rules (ALERT_RULES and the API together); one more is refused (422)",
  },
  ALERT_INTERVAL_MS: {
    parse: int({ min: 10 }),
    default: "15000",
    meaning: "how often alert rules are evaluated",
  },
  ALERT_WEBHOOK_URL: { parse: url(), meaning: "firing and resolved transitions are POSTed here" },
  SERVICE_URLS: {
    parse: serviceUrls(),
    default: "user=http://127.0.0.1:3001,order=http://127.0.0.1:3000," +
      "producer=http://127.0.0.1:8085,consumer=http://127.0.0.1:8086",
    meaning: "the services whose faults the Faults page lists and switches, `name=url` pairs " +
      "(docs/faults.md)",
  },
  FAULTS_TOKEN: {
    parse: token(),
    secret: true,
    meaning: "sent as the bearer token when the Faults page switches a service's fault (the " +
      "services' `FAULTS_TOKEN`)",
  },
  FORWARD_ENDPOINTS: {
    parse: list(url(), "comma-separated absolute http or https URLs"),
    meaning: "comma-separated OTLP/HTTP base URLs (e.g. Jaeger's `http://jaeger:4318`) that get " +
      "a copy of what is accepted",
  },
  FORWARD_QUEUE_SIZE: {
    parse: int({ min: 1 }),
    default: "1000",
    meaning: "requests queued per endpoint before the oldest is dropped (counted)",
  },
  FORWARD_MAX_ATTEMPTS: {
    parse: int({ min: 1, max: 100 }),
    default: "5",
    meaning: "tries per forwarded request, with backoff",
  },
  FORWARD_TIMEOUT_MS: { parse: int({ min: 1 }), default: "5000", meaning: "timeout per try" },
});

/** What `--help` and the README say about the tracing service. */
export const TRACING_SPEC = serviceSpec({
  service: "tracing",
  summary: "OTLP/HTTP trace backend and query API (DATA_DIR/traces.db)",
  port: 16686,
  dataDir: true,
  own: [TRACING_VARIABLES.group, INGEST_LIMIT_VARIABLES.group],
});

/** Everything the tracing service needs at start. */
export interface TracingConfig extends ServiceConfig {
  /** OTLP_PORT: the OTLP/HTTP ingest port (0 picks a free one). */
  readonly otlpPort: number;
  /** OTLP_MAX_BODY_BYTES: the largest OTLP body accepted, compressed or after gunzip. */
  readonly otlpMaxBodyBytes: number;
  /** OTLP_MAX_INFLIGHT_BYTES: bytes of OTLP bodies being read and inflated at once; beyond, 503. */
  readonly otlpMaxInflightBytes: number;
  /**
   * INGEST_TOKEN: when set, every write (OTLP ingest, span API, alert rules) needs
   * `authorization: Bearer <token>`; it also grants reads.
   */
  readonly ingestToken: string | undefined;
  /** QUERY_TOKEN: when set, reads of the query port need it (or INGEST_TOKEN) too. */
  readonly queryToken: string | undefined;
  readonly wal: {
    /** WAL_ENABLED: log accepted OTLP payloads before answering, replayed at start. */
    readonly enabled: boolean;
    /** WAL_SYNC: fdatasync each append before answering (survives power loss, costs latency). */
    readonly sync: boolean;
  };
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
    /** ALERT_MAX_RULES: adding a rule beyond this many is refused. */
    readonly maxRules: number;
    /** ALERT_INTERVAL_MS: how often the rules are evaluated. */
    readonly intervalMs: number;
    /** ALERT_WEBHOOK_URL: firing and resolved transitions are POSTed here. */
    readonly webhookUrl: string | undefined;
  };
  readonly faults: {
    /** SERVICE_URLS: base URL by service name, for the Faults page. */
    readonly services: Readonly<Record<string, string>>;
    /** FAULTS_TOKEN: sent with every switch the page passes on. */
    readonly token: string | undefined;
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
  /** INGEST_*_LIMIT: what every entrance holds a span to (tracing/ingest/limits_config.ts). */
  readonly limits: IngestLimits;
  /** Why self-export is off, when the OTLP endpoint points at this service. */
  readonly selfExportDisabledReason: string | undefined;
}

/** Reads and validates the config; throws one `ConfigError` listing every bad variable. */
export function loadConfig(env: Env): TracingConfig {
  const read = createEnvReader(env);
  const v = TRACING_VARIABLES;
  const config: TracingConfig = {
    ...readServiceConfig(read, TRACING_SPEC),
    otlpPort: read.value(v.OTLP_PORT),
    otlpMaxBodyBytes: read.value(v.OTLP_MAX_BODY_BYTES),
    otlpMaxInflightBytes: read.value(v.OTLP_MAX_INFLIGHT_BYTES),
    ingestToken: read.optional(v.INGEST_TOKEN),
    queryToken: read.optional(v.QUERY_TOKEN),
    wal: Object.freeze({
      enabled: read.value(v.WAL_ENABLED),
      sync: read.value(v.WAL_SYNC),
    }),
    store: Object.freeze({
      maxAgeMs: read.value(v.RETENTION_MAX_AGE_HOURS) * 3600_000,
      maxBytes: read.value(v.RETENTION_MAX_MB) * 1024 * 1024,
      retentionIntervalMs: read.value(v.RETENTION_INTERVAL_MS),
      batchSize: read.value(v.WRITE_BATCH_SIZE),
      flushMs: read.value(v.WRITE_FLUSH_MS),
      queueMax: read.value(v.WRITE_QUEUE_MAX),
    }),
    sampling: Object.freeze({
      ratio: read.value(v.SAMPLING_RATIO),
      maxTracesPerSecond: read.value(v.SAMPLING_MAX_TRACES_PER_SECOND),
      latencyThresholdMs: read.value(v.SAMPLING_LATENCY_THRESHOLD_MS),
      decisionWaitMs: read.value(v.SAMPLING_DECISION_WAIT_MS),
    }),
    spanApi: Object.freeze({
      ttlMs: read.value(v.OPEN_SPAN_TTL_MS),
      maxOpen: read.value(v.OPEN_SPAN_MAX),
    }),
    alerts: Object.freeze({
      rules: Object.freeze(read.optional(v.ALERT_RULES) ?? []),
      maxRules: read.value(v.ALERT_MAX_RULES),
      intervalMs: read.value(v.ALERT_INTERVAL_MS),
      webhookUrl: read.optional(v.ALERT_WEBHOOK_URL),
    }),
    faults: Object.freeze({
      services: Object.freeze(read.value(v.SERVICE_URLS)),
      token: read.optional(v.FAULTS_TOKEN),
    }),
    forward: Object.freeze({
      endpoints: Object.freeze(read.optional(v.FORWARD_ENDPOINTS) ?? []),
      queueSize: read.value(v.FORWARD_QUEUE_SIZE),
      maxAttempts: read.value(v.FORWARD_MAX_ATTEMPTS),
      timeoutMs: read.value(v.FORWARD_TIMEOUT_MS),
    }),
    limits: readIngestLimits(read),
    selfExportDisabledReason: undefined,
  };
  // A body and its inflated copy are both held while one request is read.
  if (config.otlpMaxInflightBytes < 2 * config.otlpMaxBodyBytes) {
    read.problem(
      v.OTLP_MAX_INFLIGHT_BYTES,
      String(config.otlpMaxInflightBytes),
      `at least twice OTLP_MAX_BODY_BYTES (${2 * config.otlpMaxBodyBytes}), or no large body fits`,
    );
  }
  if (config.alerts.rules.length > config.alerts.maxRules) {
    read.problem(
      v.ALERT_MAX_RULES,
      String(config.alerts.maxRules),
      `at least the ${config.alerts.rules.length} rules of ALERT_RULES`,
    );
  }
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
