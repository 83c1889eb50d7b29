/**
 * Folder-private: the guided fault scenarios of docs/faults.md as real processes: the tracing
 * service with a short alert interval and a webhook to a local receiver, the services it lists on
 * its Faults page, and `load/main.ts` sending traffic at them until the test stops it.
 */
import assert from "node:assert/strict";
import { freePort } from "../../lib/testing/free_port.ts";
import { LoadProcess } from "../../lib/testing/load_process.ts";
import { ServiceGroup, type ServiceProcess } from "../../lib/testing/service_process.ts";
import { waitFor } from "../../lib/testing/wait.ts";
import { startTracingProcess, type TracingProcess } from "../testing/service.ts";
import type { BrowserPage } from "./_browser.ts";

/** A POST the webhook receiver got. */
export interface WebhookCall {
  alert: string;
  state: "firing" | "ok";
  value: number | null;
  threshold: number;
}

/** A local HTTP server that records every alert POSTed to it. */
export class WebhookReceiver {
  readonly #calls: WebhookCall[] = [];
  #from = 0;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;

  constructor() {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (req) => {
        if (req.method === "POST") this.#calls.push(await req.json());
        return new Response(null, { status: 204 });
      },
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.#server.addr.port}/alerts`;
  }

  /** The POSTs received since `mark()` (all of them before it is called). */
  get calls(): readonly WebhookCall[] {
    return this.#calls.slice(this.#from);
  }

  /** Every POST so far, marked or not. */
  get allCalls(): readonly WebhookCall[] {
    return this.#calls;
  }

  /**
   * Starts `calls` afresh: on a busy machine the baseline itself may be slow enough to fire (and
   * resolve) an alert, which is right, but is not the transition the scenario is about.
   */
  mark(): void {
    this.#from = this.#calls.length;
  }

  /** Waits for a POST of `alert` in `state` since `mark()` and returns it. */
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

/**
 * A step runner for a scenario's test steps: each step ends with a screenshot named
 * `<prefix>-<step>` and fails on any console error the page logged.
 */
export function screenshotSteps(
  t: Deno.TestContext,
  browser: BrowserPage,
  prefix: string,
): (name: string, check: () => Promise<void>) => Promise<boolean> {
  return (name, check) =>
    t.step(name, async () => {
      try {
        await check();
      } finally {
        await browser.screenshot(`${prefix}-${name.split(":")[0]}`);
      }
      assert.deepEqual(browser.problems, [], "console errors");
    });
}
