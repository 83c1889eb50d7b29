/**
 * docs/faults.md's "see the queue build up", walked in chromium over real processes and a real
 * RabbitMQ: message load on producer and consumer, consumer's slow_consumer switched on from the
 * Faults page, the broker wait (from the PRODUCER span's end to the CONSUMER span's start) growing
 * past a second in the trace, the alert firing and reaching a webhook, then all of it resolving
 * once the fault is switched off.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { connectOrFail, deleteQueues, uniqueQueueName } from "../../lib/testing/amqp.ts";
import { waitFor } from "../../lib/testing/wait.ts";
import { type BrowserPage, openBrowser } from "./_browser.ts";
import { screenshotSteps, startFaultScenario } from "./_fault_scenario.ts";

const RULE = "consumer p99";
const THRESHOLD_MS = 300;

/** Milliseconds of a duration as the page writes it: `12µs`, `350ms`, `2.81s`, `1m05s`. */
function msOf(text: string): number {
  const minutes = /^(\d+)m(\d+)s$/.exec(text);
  if (minutes !== null) return Number(minutes[1]) * 60_000 + Number(minutes[2]) * 1000;
  if (text.endsWith("µs")) return Number(text.slice(0, -2)) / 1000;
  if (text.endsWith("ms")) return Number(text.slice(0, -2));
  return Number(text.slice(0, -1)) * 1000;
}

interface TraceFigures {
  traceId: string;
  /** The broker wait bar's label. */
  waitMs: number;
  /** The same gap from the spans: CONSUMER start minus PRODUCER end. */
  gapMs: number;
  consumerFault: string | undefined;
}

/** Opens the newest trace `search` finds and reads its broker wait, on the page and from the API. */
async function newestTrace(page: Page, search: string): Promise<TraceFigures | undefined> {
  await page.goto(`/search?${search}&lookback=15m&limit=1`);
  const href = await page.locator("li.result").first().getAttribute("data-href", { timeout: 500 })
    .catch(() => null);
  if (href === null) return undefined;
  await page.goto(href);
  const wait = page.locator(".row.wait .dur").first();
  if (await wait.count() === 0) return undefined;
  const traceId = href.replace("/trace/", "");
  const body = await (await page.request.get(`/api/traces/${traceId}`)).json();
  type Span = {
    startTime: number;
    duration: number;
    tags: { key: string; value: unknown }[];
  };
  const spans = body.data[0].spans as Span[];
  const kind = (s: Span) => s.tags.find((tag) => tag.key === "span.kind")?.value;
  const producer = spans.find((s) => kind(s) === "producer");
  const consumer = spans.find((s) => kind(s) === "consumer");
  if (producer === undefined || consumer === undefined) return undefined;
  return {
    traceId,
    waitMs: msOf(await wait.textContent() ?? ""),
    gapMs: (consumer.startTime - (producer.startTime + producer.duration)) / 1000,
    consumerFault: consumer.tags.find((tag) => tag.key === "fault.name")?.value as string,
  };
}

Deno.test("The slow-consumer scenario: the queue builds up as broker wait, the alert fires and reaches the webhook, then resolves", async (t) => {
  await (await connectOrFail()).close();
  const queue = uniqueQueueName("slow-consumer");
  const process = `process ${queue}`;
  const scenario = await startFaultScenario({
    services: ["producer", "consumer"],
    serviceEnv: {
      QUEUE_NAME: queue,
      PREFETCH: "1",
      MAX_RETRIES: "0",
      WORK_HIGH_MS: "0",
      WORK_NORMAL_MS: "0",
      WORK_LOW_MS: "0",
    },
    alertRules: [{
      name: RULE,
      service: "consumer",
      operation: process,
      metric: "p99",
      threshold: THRESHOLD_MS,
      window_ms: 3000,
    }],
    loadArgs: (s) => [
      "--rate=6",
      "--duration=90",
      `--producer-url=${s.producer!.url}`,
      "--mix=create_user=0,get_user=0,order=0,order_unknown_user=0,send_bulk=0",
    ],
  });
  const { webhook } = scenario;
  let browser: BrowserPage | undefined;
  try {
    browser = await openBrowser(scenario.tracing.queryUrl);
    const { page } = browser;
    const step = screenshotSteps(t, browser, "slow-consumer");
    const consumerFault = () =>
      page.locator('section[data-service="consumer"] tr[data-fault="slow_consumer"]');

    await step("1-baseline: messages pass the broker at once", async () => {
      // Polled rather than read once: on a loaded machine one message may wait in the broker
      // before any fault is on.
      const trace = await waitFor(
        () => "a finished POST /send trace whose message waited under 200 ms",
        async () => {
          const found = await newestTrace(page, "service=consumer");
          return found !== undefined && found.waitMs < 200 ? found : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 300 },
      );
      assert.equal(trace.consumerFault, undefined);
      webhook.mark();
    });

    await step("2-switch-on: the Faults page switches consumer's slow_consumer on", async () => {
      await page.goto("/faults");
      assert.equal(await consumerFault().locator("[data-role=fault-state]").textContent(), "off");
      await consumerFault().locator("input[name=delay_ms]").fill("400");
      await consumerFault().locator("input[name=jitter_ms]").fill("0");
      await Promise.all([
        page.waitForURL(/switched=/),
        consumerFault().locator("button[value=true]").click(),
      ]);
      assert.equal(await consumerFault().locator("[data-role=fault-state]").textContent(), "on");
    });

    await step("3-queue-builds: a slowed message waited over a second in the broker", async () => {
      const trace = await waitFor(
        () => "a trace of a slowed message that waited over 1 s",
        async () => {
          const found = await newestTrace(page, "service=consumer&tags=fault.name%3Dslow_consumer");
          return found !== undefined && found.waitMs >= 1000 ? found : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      assert.equal(trace.consumerFault, "slow_consumer");
      // The bar is the gap between the spans, as the page rounds it.
      assert.ok(
        Math.abs(trace.waitMs - trace.gapMs) <= Math.max(10, trace.gapMs * 0.01),
        `wait bar ${trace.waitMs} ms, span gap ${trace.gapMs} ms`,
      );
    });

    await step("4-alert: the consumer's p99 alert fires and reaches the webhook", async () => {
      const firing = await webhook.waitFor(RULE, "firing");
      assert.ok(firing.value !== null && firing.value >= 400, `value ${firing.value}`);
      await page.goto("/services?lookback=5m");
      assert.match(await page.textContent("section.alerts tr.firing") ?? "", new RegExp(RULE));
    });

    await step("5-switch-off: the queue drains and the alert resolves", async () => {
      await page.goto("/faults");
      await Promise.all([
        page.waitForURL(/switched=/),
        consumerFault().locator("button[value=false]").click(),
      ]);
      assert.equal(await consumerFault().locator("[data-role=fault-state]").textContent(), "off");
      await webhook.waitFor(RULE, "ok", 30_000);
      await page.goto("/services?lookback=5m");
      assert.match(await page.textContent("section.alerts") ?? "", /No alert is firing/);
      const trace = await waitFor(
        () => "a message sent after the switch that passed the broker at once",
        async () => {
          const found = await newestTrace(page, "service=consumer");
          return found !== undefined && found.consumerFault === undefined && found.waitMs < 200
            ? found
            : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 500 },
      );
      assert.ok(trace.gapMs < 200);
      assert.deepEqual(webhook.calls.map((c) => c.state), ["firing", "ok"]);
    });
  } finally {
    await browser?.close();
    const load = await scenario.stop();
    await deleteQueues(queue);
    assert.equal(load.code, 0, load.progress);
    assert.match(load.summary, /^send_normal\s+\d+\s+0\s/m, load.summary);
  }
});
