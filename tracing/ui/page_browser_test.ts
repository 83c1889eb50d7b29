/**
 * The tracing page in a real browser (Debian's chromium through playwright-core), over real
 * traces: order → user over HTTP, producer → RabbitMQ → consumer, and a trace full of markup.
 * Every view is screenshotted to `test_output/screenshots/` and must log no console error.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startTracingProcess } from "../testing/service.ts";
import { HOSTILE } from "./_fixture.ts";
import { type BrowserPage, openBrowser } from "./_browser.ts";
import { makeLiveTraces } from "./_live_traces.ts";

interface RowInfo {
  id: string;
  depth: number;
  kind: string;
  name: string;
  hidden: boolean;
  left: number;
  right: number;
}

function rows(page: Page): Promise<RowInfo[]> {
  return page.$$eval(".waterfall .item", (items) =>
    items.map((item) => {
      const bar = item.querySelector(".bar")!.getBoundingClientRect();
      return {
        id: item.id.replace("span-", ""),
        depth: Number(item.getAttribute("data-depth")),
        kind: item.querySelector(".row")?.getAttribute("data-kind") ?? "",
        name: item.querySelector(".op")?.textContent ?? "",
        hidden: item.hasAttribute("hidden"),
        left: bar.left,
        right: bar.right,
      };
    }));
}

Deno.test("the tracing page shows real traces in chromium, as text, without errors", async (t) => {
  const tracing = await startTracingProcess({
    env: {
      SAMPLING_DECISION_WAIT_MS: "300",
      ALERT_INTERVAL_MS: "200",
      ALERT_RULES: JSON.stringify([{ service: "order", metric: "p50", threshold: 0 }]),
    },
  });
  let browser: BrowserPage | undefined;
  try {
    const live = await makeLiveTraces(tracing);
    browser = await openBrowser(tracing.queryUrl);
    const { page, problems, dialogs } = browser;
    const view = (name: string, check: () => Promise<void>) =>
      t.step(name, async () => {
        try {
          await check();
        } finally {
          await browser!.screenshot(name.split(":")[0]!);
        }
        assert.deepEqual(problems, [], "console errors");
        assert.deepEqual(dialogs, [], "dialogs opened");
      });

    await view("search: the form finds the order trace", async () => {
      await page.goto("/");
      assert.match(page.url(), /\/search$/);
      await page.selectOption("select[name=service]", "order");
      await page.locator("select[name=operation] option", { hasText: "POST /orders" })
        .waitFor({ state: "attached" });
      await page.selectOption("select[name=operation]", "POST /orders");
      await Promise.all([page.waitForURL(/service=order/), page.click("button.primary")]);
      const hrefs = await page.$$eval("li.result", (els) => els.map((e) => e.dataset.href));
      assert.deepEqual(hrefs, [`/trace/${live.orderTraceId}`]);
      assert.equal(await page.locator("svg.scatter circle").count(), 1);
      assert.match(await page.textContent("li.result") ?? "", /5 spans/);
    });

    await view("trace-order-user: every span in order, collapsible by keyboard", async () => {
      await page.focus(`li.result[data-href="/trace/${live.orderTraceId}"]`);
      await Promise.all([page.waitForURL(/\/trace\//), page.keyboard.press("Enter")]);
      const list = await rows(page);
      assert.deepEqual(list.map((r) => [r.depth, r.kind, r.name]), [
        [0, "server", "POST /orders"],
        [1, "client", "GET"],
        [2, "server", "GET /users/:username"],
        [3, "client", "SELECT users"],
        [1, "client", "INSERT orders"],
      ]);
      const [root, client, userServer] = list;
      assert.ok(root!.right - root!.left > 800, "the root bar spans the lane");
      assert.ok(userServer!.left >= client!.left && userServer!.right <= client!.right + 1);
      assert.ok(await page.locator(".row.critical").count() >= 2, "critical path drawn");

      await page.focus(`#span-${client!.id} .row`);
      await page.keyboard.press("ArrowLeft");
      assert.deepEqual((await rows(page)).map((r) => r.hidden), [false, false, true, true, false]);
      await page.keyboard.press("ArrowRight");
      assert.deepEqual((await rows(page)).map((r) => r.hidden), [
        false,
        false,
        false,
        false,
        false,
      ]);
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Enter");
      const details = page.locator(`#span-${userServer!.id} .details`);
      await details.waitFor({ state: "visible" });
      assert.match(await details.textContent() ?? "", /http\.route\s*\/users\/:username/);
    });

    await view("trace-messaging: send, broker wait, process", async () => {
      await page.goto(`/trace/${live.messageTraceId}`);
      const list = await rows(page);
      assert.deepEqual(list.map((r) => [r.depth, r.kind, r.name]), [
        [0, "server", "POST /send"],
        [1, "producer", `send ${live.queue}`],
        [2, "wait", "broker wait"],
        [2, "consumer", `process ${live.queue}`],
      ]);
      const [, send, wait, process] = list;
      // The wait starts where the publish ended, or at the publish's start when processing began
      // before the broker's confirm closed the publish span (waterfall_model.ts waitRow).
      const waitStart = send!.right <= process!.left
        ? send!.right
        : Math.min(send!.left, process!.left);
      assert.ok(Math.abs(wait!.left - waitStart) <= 1.5, "wait starts at publish");
      assert.ok(wait!.right <= process!.left + 2.5, "wait ends where processing starts");
      assert.match(await page.textContent(`#span-${wait!.id}`) ?? "", new RegExp(live.queue));
      await page.goto(`/trace/${live.messageTraceId}#span-${process!.id}`);
      const details = page.locator(`#span-${process!.id} .details`);
      await details.waitFor({ state: "visible" });
      assert.match(await details.textContent() ?? "", /Kind\s*consumer/);
      assert.match(await details.textContent() ?? "", /messaging\.system\s*rabbitmq/);
    });

    await view("trace-hostile: markup in spans is shown as text and runs nothing", async () => {
      await page.goto(`/search?service=${encodeURIComponent(HOSTILE.service)}`);
      assert.equal(await page.textContent("li.result .op"), HOSTILE.spanName);
      await page.goto(`/trace/${live.hostileTraceId}`);
      const names = (await rows(page)).map((r) => r.name);
      assert.deepEqual(names, [HOSTILE.spanName, HOSTILE.childName]);
      await page.click("[data-action=expand-all]");
      for (const row of await page.locator(".waterfall .row").all()) await row.click();
      const text = await page.textContent("main") ?? "";
      for (const value of Object.values(HOSTILE)) assert.ok(text.includes(value), value);
      assert.equal(
        await page.locator("img, main script, svg[onload], b, i:not([class])").count(),
        0,
      );
      await page.waitForTimeout(300);
    });

    await view("services: rates, percentiles and the firing alert", async () => {
      await page.goto("/services");
      const text = await page.textContent("table.services-table") ?? "";
      for (
        const name of ["order", "user", "producer", "consumer", "POST /orders", "SELECT users"]
      ) {
        assert.ok(text.includes(name), name);
      }
      assert.ok(await page.locator("tr.service-row.firing").count() >= 1, "order row firing");
      assert.match(await page.textContent(".alerts") ?? "", /firing/);
    });

    await view("dependencies: the service graph with the broker hop", async () => {
      await page.goto("/dependencies");
      const nodes = await page.$$eval(
        "g.node",
        (els) => els.map((e) => e.getAttribute("data-node")),
      );
      for (const name of ["order", "user", "producer", "consumer", live.queue]) {
        assert.ok(nodes.includes(name), `${name} in ${nodes}`);
      }
      const edges = await page.$$eval("g[data-edge]", (els) => els.map((e) => e.dataset.edge));
      assert.ok(edges.includes("order → user"));
      assert.ok(edges.includes(`producer → ${live.queue}`));
      assert.ok(edges.includes(`${live.queue} → consumer`));
    });

    await view("compare: two selected traces side by side", async () => {
      await page.goto("/search");
      await page.check(`input[value="${live.orderTraceId}"]`);
      await page.check(`input[value="${live.messageTraceId}"]`);
      await Promise.all([
        page.waitForURL(/\/compare/),
        page.click("text=Compare the two selected"),
      ]);
      assert.equal(await page.locator("[data-side] .waterfall").count(), 2);
      assert.ok(await page.locator(".row.only").count() >= 4, "operations of one trace marked");
    });
  } finally {
    await browser?.close();
    await tracing.stop();
  }
});
