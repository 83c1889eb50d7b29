/** Folder-private test fixture: both apps over an in-memory store, and a way to close it all. */
import type { Hono } from "hono";
import { createLogger } from "../../lib/log.ts";
import { createRegistry } from "../../lib/http/metrics.ts";
import { jsonInit } from "../../lib/testing/http.ts";
import { createTestTelemetry } from "../../lib/testing/telemetry.ts";
import { type AlertEngine, createAlertEngine } from "../alerts/engine.ts";
import type { RuleStore } from "../alerts/measure_rules.ts";
import { createIngestApp, createQueryApp } from "../app.ts";
import { OpenSpans } from "../span_api/open_spans.ts";
import { createPipeline, type Pipeline } from "../pipeline/pipeline.ts";
import type { SamplingOptions } from "../pipeline/tail_sampler.ts";
import { openTraceStore, type TraceStore } from "../store/store.ts";
import { createTracingMetrics } from "../metrics.ts";
import { ByteBudget } from "../../lib/http/byte_budget.ts";
import type { IngestLimits } from "../ingest/limits.ts";
import { countLimited } from "../ingest/otlp_app.ts";

/** A test fixture. */
export interface TestService {
  ingest: Hono;
  query: Hono;
  store: TraceStore;
  pipeline: Pipeline;
  openSpans: OpenSpans;
  alerts: AlertEngine;
  /** Writes everything queued so queries see it. */
  flush(): void;
  close(): Promise<void>;
}

/** Builds the fixture; options override the defaults. */
export function createTestService(options: {
  sampling?: Partial<SamplingOptions>;
  queueMax?: number;
  token?: string;
  readToken?: string;
  maxBodyBytes?: number;
  budget?: ByteBudget;
  ttlMs?: number;
  maxAlertRules?: number;
  /** What the alert engine reads through, e.g. the store with a fault injected. */
  alertStore?: (store: TraceStore) => RuleStore;
  /** The open spans' clock (start times, TTL); default the wall clock. */
  nowNs?: () => bigint;
  /** The ingest limits; default the defaults. */
  limits?: IngestLimits;
  /** Receives each error line the apps log; default none is kept. */
  onErrorLine?: (line: string) => void;
} = {}): TestService {
  const logger = createLogger({
    service: "tracing",
    level: "error",
    write: options.onErrorLine ?? (() => {}),
  });
  const { telemetry } = createTestTelemetry();
  const store = openTraceStore(":memory:");
  const registry = createRegistry();
  const pipeline = createPipeline({
    store,
    metrics: createTracingMetrics(registry),
    logger,
    sampling: {
      ratio: 1,
      maxTracesPerSecond: 0,
      latencyThresholdMs: 1000,
      decisionWaitMs: 50,
      ...options.sampling,
    },
    write: { batchSize: 500, flushMs: 10_000, queueMax: options.queueMax ?? 100_000 },
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  const openSpans = new OpenSpans({
    ttlMs: options.ttlMs ?? 60_000,
    maxOpen: 100,
    ...(options.nowNs === undefined ? {} : { nowNs: options.nowNs }),
    finish: (span) => pipeline.acceptSpans([span]),
    limits: pipeline.limits,
    onLimited: (tally) => countLimited(pipeline.metrics, tally),
  });
  const alerts = createAlertEngine({
    store: options.alertStore?.(store) ?? store,
    rules: [],
    maxRules: options.maxAlertRules ?? 200,
    intervalMs: 60_000,
    logger,
  });
  return {
    ingest: createIngestApp({
      pipeline,
      logger,
      maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
      budget: options.budget ?? new ByteBudget(64 * 1024 * 1024),
      token: options.token,
    }),
    query: createQueryApp({
      store,
      pipeline,
      openSpans,
      alerts,
      logger,
      telemetry,
      registry,
      maxBodyBytes: 64 * 1024,
      writeToken: options.token,
      readToken: options.readToken,
    }),
    store,
    pipeline,
    openSpans,
    alerts,
    flush: () => pipeline.flush(),
    async close() {
      openSpans.close();
      await alerts.close();
      pipeline.close();
      store.close();
      await telemetry.shutdown();
    },
  };
}

/** Posts `sampleTraceJson(traceId)` to the ingest app and writes it, so queries see it. */
export async function ingestSample(
  service: TestService,
  traceId = "5b8efff798038103d269b633813fc60c",
): Promise<void> {
  const response = await service.ingest.request(
    "/v1/traces",
    jsonInit("POST", sampleTraceJson(traceId)),
  );
  await response.body?.cancel();
  if (response.status !== 200) throw new Error(`ingest answered ${response.status}`);
  service.flush();
}

/** A small OTLP JSON request: a SERVER root and a CLIENT child with an event, one ERROR. */
export function sampleTraceJson(traceId = "5b8efff798038103d269b633813fc60c"): unknown {
  const base = 1_700_000_000_000_000_000n;
  return {
    resourceSpans: [{
      resource: {
        attributes: [
          { key: "service.name", value: { stringValue: "order" } },
          { key: "host.name", value: { stringValue: "box" } },
        ],
      },
      scopeSpans: [{
        scope: { name: "distributed-tracing", version: "1.0.0" },
        spans: [
          {
            traceId,
            spanId: "eee19b7ec3c1b174",
            name: "POST /orders",
            kind: 2,
            startTimeUnixNano: String(base),
            endTimeUnixNano: String(base + 25_000_000n),
            attributes: [
              { key: "http.request.method", value: { stringValue: "POST" } },
              { key: "http.response.status_code", value: { intValue: 201 } },
            ],
            status: {},
          },
          {
            traceId,
            spanId: "eee19b7ec3c1b175",
            parentSpanId: "eee19b7ec3c1b174",
            name: "GET",
            kind: "SPAN_KIND_CLIENT",
            startTimeUnixNano: String(base + 2_000_000n),
            endTimeUnixNano: String(base + 12_000_000n),
            attributes: [{ key: "url.full", value: { stringValue: "http://user/users/a" } }],
            events: [{
              timeUnixNano: String(base + 3_000_000n),
              name: "retry",
              attributes: [{ key: "attempt", value: { intValue: "2" } }],
            }],
            status: { code: 2, message: "boom" },
          },
        ],
      }],
    }],
  };
}
