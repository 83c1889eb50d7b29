/**
 * Folder-private: the guided fault scenarios of docs/faults.md as real processes: the tracing
 * service with a short alert interval and a webhook to a local receiver, the services it lists on
 * its Faults page, and `load/main.ts` sending traffic at them until the test stops it.
 */
import { freePort } from "../../lib/testing/free_port.ts";
import { REPO_ROOT, ServiceGroup, type ServiceProcess } from "../../lib/testing/service_process.ts";
import { waitFor } from "../../lib/testing/wait.ts";
import { startTracingProcess, type TracingProcess } from "../testing/service.ts";

/** A POST the webhook receiver got. */
export interface WebhookCall {
  alert: string;
  state: "firing" | "ok";
  value: number | null;
  threshold: number;
}

/** A local HTTP server that records every alert POSTed to it. */
export class WebhookReceiver {
  readonly calls: WebhookCall[] = [];
  readonly #server: Deno.HttpServer<Deno.NetAddr>;

  constructor() {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (req) => {
        if (req.method === "POST") this.calls.push(await req.json());
        return new Response(null, { status: 204 });
      },
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.#server.addr.port}/alerts`;
  }

  /** Waits for a POST of `alert` in `state` and returns it. */
  waitFor(alert: string, state: WebhookCall["state"], timeoutMs = 20_000): Promise<WebhookCall> {
    return waitFor(
      () => `a "${state}" POST for "${alert}"; got ${JSON.stringify(this.calls)}`,
      () => this.calls.find((call) => call.alert === alert && call.state === state),
      { timeoutMs, intervalMs: 50 },
    );
  }

  close(): Promise<void> {
    return this.#server.shutdown();
  }
}

/** `load/main.ts` running as its own process, as `deno task load` runs it. */
export class LoadProcess {
  readonly #child: Deno.ChildProcess;
  readonly #output: Promise<[string, string]>;

  constructor(args: readonly string[], env: Record<string, string>) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--allow-net",
        "--allow-env",
        "--allow-sys=hostname",
        "load/main.ts",
        ...args,
      ],
      cwd: REPO_ROOT,
      env,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const text = (stream: ReadableStream<Uint8Array>) => new Response(stream).text();
    this.#output = Promise.all([text(this.#child.stdout), text(this.#child.stderr)]);
  }

  /** Stops it as Ctrl-C would and returns its exit code, summary table (stdout) and progress. */
  async stop(): Promise<{ code: number; summary: string; progress: string }> {
    try {
      this.#child.kill("SIGINT");
    } catch {
      // Already ended by its --duration.
    }
    const [{ code }, [summary, progress]] = await Promise.all([this.#child.status, this.#output]);
    return { code, summary, progress };
  }
}

/** The running scenario. */
export interface FaultScenario {
  tracing: TracingProcess;
  services: Record<string, ServiceProcess>;
  webhook: WebhookReceiver;
  load: LoadProcess;
  /** Stops the load, the services, tracing and the receiver; returns the load's output. */
  stop(): Promise<{ code: number; summary: string; progress: string }>;
}

/** Starts tracing, then `services` (with `serviceEnv`) on known ports, then the load. */
export async function startFaultScenario(options: {
  services: readonly ("user" | "order" | "producer" | "consumer")[];
  serviceEnv?: Record<string, string>;
  alertRules: readonly Record<string, unknown>[];
  loadArgs: (services: Record<string, ServiceProcess>) => string[];
}): Promise<FaultScenario> {
  const webhook = new WebhookReceiver();
  const ports = Object.fromEntries(options.services.map((name) => [name, freePort()]));
  const tracing = await startTracingProcess({
    env: {
      ALERT_INTERVAL_MS: "250",
      ALERT_RULES: JSON.stringify(options.alertRules),
      ALERT_WEBHOOK_URL: webhook.url,
      SERVICE_URLS: Object.entries(ports).map(([name, port]) => `${name}=http://127.0.0.1:${port}`)
        .join(","),
    },
  }).catch(async (error) => {
    await webhook.close();
    throw error;
  });
  const dataDir = await Deno.makeTempDir({ prefix: "fault-scenario-" });
  const group = new ServiceGroup({
    dataDir,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: tracing.otlpEndpoint,
      OTEL_BSP_SCHEDULE_DELAY: "200",
      OTEL_BLRP_SCHEDULE_DELAY: "200",
      ...options.serviceEnv,
    },
  });
  const services: Record<string, ServiceProcess> = {};
  const stopServices = async () => {
    await group.stopAll();
    await tracing.stop();
    await webhook.close();
    await Deno.remove(dataDir, { recursive: true });
  };
  try {
    for (const name of options.services) {
      const extra: Record<string, string> = { PORT: String(ports[name]) };
      if (name === "order") extra.USER_SERVICE_URL = services.user?.url ?? "http://127.0.0.1:9";
      services[name] = await group.start(name, extra);
    }
  } catch (error) {
    await stopServices();
    throw error;
  }
  const load = new LoadProcess(options.loadArgs(services), {
    OTEL_EXPORTER_OTLP_ENDPOINT: tracing.otlpEndpoint,
    OTEL_BSP_SCHEDULE_DELAY: "200",
  });
  return {
    tracing,
    services,
    webhook,
    load,
    async stop() {
      const output = await load.stop();
      await stopServices();
      return output;
    },
  };
}

/** The latest p99 (ms) of `operation` that Jaeger's metrics API (the Monitor tab) gives. */
export async function monitorP99(
  queryUrl: string,
  options: { service: string; operation: string; spanKind: string },
): Promise<number | undefined> {
  const params = new URLSearchParams({
    service: options.service,
    quantile: "0.99",
    groupByOperation: "true",
    spanKind: options.spanKind,
    endTs: String(Date.now()),
    lookback: "60000",
    step: "1000",
    ratePer: "3000",
  });
  const response = await fetch(`${queryUrl}/api/metrics/latencies?${params}`);
  const body = await response.json();
  type Point = { gaugeValue?: { doubleValue?: number | string } };
  type Metric = { labels: { name: string; value: string }[]; metricPoints: Point[] };
  // Jaeger answers the metrics API with a bare MetricFamily, not in its `data` envelope.
  const metric = (body.metrics as Metric[] | undefined)?.find((m) =>
    m.labels.some((label) => label.name === "operation" && label.value === options.operation)
  );
  const values = (metric?.metricPoints ?? [])
    .map((point) => Number(point.gaugeValue?.doubleValue))
    .filter((value) => Number.isFinite(value));
  return values.at(-1);
}
