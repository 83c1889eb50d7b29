/**
 * The environment variables each service reads, as shown by `--help`: one table per service built
 * from shared groups. `scripts/cli_variables_test.ts` checks each table against what the service's
 * `loadConfig` really reads and that every stated default is the one it applies.
 */

/** One variable as `--help` shows it. */
export interface CliVariable {
  readonly name: string;
  /** The default as written in env; `undefined` means unset or derived (see `meaning`). */
  readonly default?: string;
  readonly meaning: string;
}

/** A titled group of variables. */
export interface CliGroup {
  readonly title: string;
  readonly variables: readonly CliVariable[];
}

/** What `--help` says about one service. */
export interface CliSpec {
  /** Service name, as in `OTEL_SERVICE_NAME` and the binary's file name. */
  readonly service: string;
  readonly summary: string;
  /** Default PORT, also used by `--healthcheck`. */
  readonly port: number;
  /** Whether the service keeps files in DATA_DIR (and so needs write access there). */
  readonly dataDir: boolean;
  readonly groups: readonly CliGroup[];
}

function shared(port: number): CliGroup {
  return {
    title: "Shared by every service",
    variables: [
      { name: "PORT", default: String(port), meaning: "HTTP port; 0 picks a free one" },
      { name: "HOST", default: "0.0.0.0", meaning: "address to bind" },
      { name: "DATA_DIR", default: "./data", meaning: "where SQLite files live" },
      { name: "LOG_LEVEL", default: "info", meaning: "debug, info, warn, error" },
      { name: "LOG_FORMAT", default: "json", meaning: "json lines or pretty (deno task dev)" },
      { name: "MAX_BODY_BYTES", default: "65536", meaning: "larger request bodies get 413" },
      { name: "SHUTDOWN_TIMEOUT_MS", default: "10000", meaning: "hard deadline for a stop" },
    ],
  };
}

function openTelemetry(service: string): CliGroup {
  const otlp = "OTEL_EXPORTER_OTLP";
  return {
    title: "OpenTelemetry (standard variables)",
    variables: [
      { name: "OTEL_SERVICE_NAME", default: service, meaning: "service.name" },
      { name: "OTEL_RESOURCE_ATTRIBUTES", meaning: "extra resource attributes, key=value,..." },
      { name: `${otlp}_ENDPOINT`, default: "http://localhost:4318", meaning: "OTLP/HTTP base URL" },
      { name: `${otlp}_TRACES_ENDPOINT`, meaning: "full traces URL (default: <base>/v1/traces)" },
      { name: `${otlp}_PROTOCOL`, default: "http/protobuf", meaning: "http/protobuf or http/json" },
      { name: `${otlp}_TRACES_PROTOCOL`, meaning: "overrides OTEL_EXPORTER_OTLP_PROTOCOL" },
      { name: `${otlp}_HEADERS`, meaning: "key=value,... headers sent with each export" },
      { name: `${otlp}_TRACES_HEADERS`, meaning: "overrides OTEL_EXPORTER_OTLP_HEADERS" },
      { name: `${otlp}_TIMEOUT`, default: "10000", meaning: "export timeout in ms" },
      { name: `${otlp}_TRACES_TIMEOUT`, meaning: "overrides OTEL_EXPORTER_OTLP_TIMEOUT" },
      { name: "OTEL_TRACES_SAMPLER", default: "parentbased_always_on", meaning: "head sampler" },
      { name: "OTEL_TRACES_SAMPLER_ARG", default: "1", meaning: "ratio for *traceidratio" },
      { name: "OTEL_BSP_MAX_QUEUE_SIZE", default: "8192", meaning: "spans buffered, then dropped" },
      { name: "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", default: "512", meaning: "spans per export" },
      { name: "OTEL_BSP_SCHEDULE_DELAY", default: "1000", meaning: "ms between exports" },
      { name: "OTEL_LOGS_EXPORTER", default: "otlp", meaning: "otlp, or none: stdout only" },
      { name: `${otlp}_LOGS_ENDPOINT`, meaning: "full logs URL (default: <base>/v1/logs)" },
      { name: `${otlp}_LOGS_PROTOCOL`, meaning: "overrides OTEL_EXPORTER_OTLP_PROTOCOL" },
      { name: `${otlp}_LOGS_HEADERS`, meaning: "overrides OTEL_EXPORTER_OTLP_HEADERS" },
      { name: `${otlp}_LOGS_TIMEOUT`, meaning: "overrides OTEL_EXPORTER_OTLP_TIMEOUT" },
      { name: "OTEL_BLRP_MAX_QUEUE_SIZE", default: "8192", meaning: "log records buffered" },
      { name: "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", default: "512", meaning: "records per export" },
      { name: "OTEL_BLRP_SCHEDULE_DELAY", default: "1000", meaning: "ms between log exports" },
      { name: "OTEL_SDK_DISABLED", default: "false", meaning: "record nothing; still propagate" },
      { name: "OTEL_DENO", default: "false", meaning: "use Deno's built-in OpenTelemetry" },
    ],
  };
}

const RABBITMQ: CliGroup = {
  title: "RabbitMQ",
  variables: [
    {
      name: "RABBITMQ_URL",
      default: "amqp://guest:guest@127.0.0.1:5672",
      meaning: "broker URL (amqp: or amqps:)",
    },
    { name: "QUEUE_NAME", default: "messages", meaning: "work queue; dead letters: <queue>.dead" },
    { name: "AMQP_RECONNECT_INITIAL_MS", default: "500", meaning: "first reconnect delay" },
    { name: "AMQP_RECONNECT_MAX_MS", default: "15000", meaning: "longest reconnect delay" },
    { name: "PUBLISH_TIMEOUT_MS", default: "5000", meaning: "wait for the broker's confirm" },
    { name: "AMQP_TRACE_CONTEXT", default: "parent", meaning: "CONSUMER span: parent or link" },
  ],
};

function spec(service: string, summary: string, port: number, own: CliGroup[]): CliSpec {
  const dataDir = summary.includes("DATA_DIR");
  return {
    service,
    summary,
    port,
    dataDir,
    groups: [shared(port), openTelemetry(service), ...own],
  };
}

/** The services of this repository. */
export type ServiceName = "user" | "order" | "producer" | "consumer" | "tracing";

/** Every service's `--help` table, by service name. */
export const CLI_SPECS: Readonly<Record<ServiceName, CliSpec>> = {
  user: spec("user", "users over HTTP, stored in SQLite (DATA_DIR/users.db)", 3001, []),
  order: spec("order", "orders over HTTP, checked against user (DATA_DIR/orders.db)", 3000, [{
    title: "order",
    variables: [
      { name: "USER_SERVICE_URL", default: "http://127.0.0.1:3001", meaning: "where user answers" },
      { name: "USER_SERVICE_TIMEOUT_MS", default: "2000", meaning: "slower lookups give 503" },
    ],
  }]),
  producer: spec("producer", "publishes messages to RabbitMQ over HTTP", 8085, [RABBITMQ, {
    title: "producer",
    variables: [{ name: "LOAD_MAX_RUNS", default: "4", meaning: "simulate-load runs at once" }],
  }]),
  consumer: spec("consumer", "processes messages from RabbitMQ", 8086, [RABBITMQ, {
    title: "consumer",
    variables: [
      { name: "PREFETCH", default: "10", meaning: "unacknowledged messages at once" },
      { name: "MAX_RETRIES", default: "1", meaning: "retries before dead-lettering" },
      { name: "FAILURE_RATE", default: "0", meaning: "share of attempts failing on purpose" },
      { name: "WORK_HIGH_MS", default: "100-300", meaning: "simulated work, high priority" },
      { name: "WORK_NORMAL_MS", default: "200-500", meaning: "simulated work, normal priority" },
      { name: "WORK_LOW_MS", default: "500-1500", meaning: "simulated work, low priority" },
    ],
  }]),
  tracing: spec("tracing", "OTLP/HTTP trace backend and query API (DATA_DIR/traces.db)", 16686, [{
    title: "tracing",
    variables: [
      { name: "OTLP_PORT", default: "4318", meaning: "OTLP/HTTP ingest port" },
      { name: "OTLP_MAX_BODY_BYTES", default: "8388608", meaning: "largest ingest body" },
      { name: "INGEST_TOKEN", meaning: "when set, ingest needs authorization: Bearer <token>" },
      { name: "RETENTION_MAX_AGE_HOURS", default: "72", meaning: "older spans are deleted" },
      { name: "RETENTION_MAX_MB", default: "1024", meaning: "above it the oldest spans go" },
      { name: "RETENTION_INTERVAL_MS", default: "60000", meaning: "how often retention runs" },
      { name: "WRITE_BATCH_SIZE", default: "2000", meaning: "spans per write transaction" },
      { name: "WRITE_FLUSH_MS", default: "100", meaning: "longest wait before a write" },
      { name: "WRITE_QUEUE_MAX", default: "200000", meaning: "queued spans before 503" },
      { name: "SAMPLING_RATIO", default: "1", meaning: "share of ordinary traces kept" },
      { name: "SAMPLING_MAX_TRACES_PER_SECOND", default: "0", meaning: "cap; 0 for none" },
      { name: "SAMPLING_LATENCY_THRESHOLD_MS", default: "1000", meaning: "slower: always kept" },
      { name: "SAMPLING_DECISION_WAIT_MS", default: "2000", meaning: "hold before deciding" },
      { name: "OPEN_SPAN_TTL_MS", default: "300000", meaning: "open span-API spans expire" },
      { name: "OPEN_SPAN_MAX", default: "10000", meaning: "cap on open span-API spans" },
      { name: "ALERT_RULES", meaning: "JSON array of alert rules" },
      { name: "ALERT_INTERVAL_MS", default: "15000", meaning: "how often rules are evaluated" },
      { name: "ALERT_WEBHOOK_URL", meaning: "firing and resolved alerts are POSTed here" },
      { name: "FORWARD_ENDPOINTS", meaning: "comma-separated OTLP/HTTP base URLs to copy to" },
      { name: "FORWARD_QUEUE_SIZE", default: "1000", meaning: "queued requests per endpoint" },
      { name: "FORWARD_MAX_ATTEMPTS", default: "5", meaning: "tries per forwarded request" },
      { name: "FORWARD_TIMEOUT_MS", default: "5000", meaning: "timeout per try" },
    ],
  }]),
};
