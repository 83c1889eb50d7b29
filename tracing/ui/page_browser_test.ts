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
      // Newest first: the good order came after the one refused for an unknown user.
      assert.deepEqual(hrefs, [`/trace/${live.orderTraceId}`, `/trace/${live.unknownUserTraceId}`]);
      assert.equal(await page.locator("svg.scatter circle").count(), 2);
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
      // The SDK stamps each span from Date.now(), in whole milliseconds, so two spans' times
      // (here of two processes) may disagree by up to 1 ms: user's SERVER span can seem to end
      // after order's CLIENT span did. Allow that much, in pixels.
      const stored = await tracing.waitForTrace(live.orderTraceId, { minSpans: 5 });
      const rootMs = Math.max(...stored.spans.map((span) => span.duration)) / 1000;
      const skew = (root!.right - root!.left) / rootMs + 1;
      assert.ok(
        userServer!.left >= client!.left - skew && userServer!.right <= client!.right + skew,
        `user's SERVER bar lies outside order's CLIENT bar by more than 1 ms (${skew} px): ${
          JSON.stringify([client, userServer])
        }`,
      );
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

    /** The trace page's Logs table, row by row: service, level, message, span name. */
    const traceLogs = (page: Page) =>
      page.$$eval("section.logs tbody tr", (trs) =>
        trs.map((tr) => {
          const cells = [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? "");
          return { service: cells[1], level: cells[2], message: cells[3], span: cells[4] };
        }));
    /** The log lines in a span's details, opened by its row. */
    const spanLogs = async (page: Page, id: string) => {
      await page.click(`#span-${id} .row`);
      const details = page.locator(`#span-${id} .details`);
      await details.waitFor({ state: "visible" });
      return await details.locator(".span-logs li").allTextContents();
    };

    await view(
      "trace-unknown-user: the refusal and both request lines, each under its span",
      async () => {
        await page.goto(`/trace/${live.unknownUserTraceId}`);
        const logs = await traceLogs(page);
        // In time order: user answers 404, then order refuses and answers 422.
        assert.deepEqual(logs.map((l) => [l.service, l.level, l.message, l.span]), [
          ["user", "INFO", "Request handled", "GET /users/:username"],
          ["order", "WARN", "Unknown user; order refused", "POST /orders"],
          ["order", "INFO", "Request handled", "POST /orders"],
        ]);
        const list = await rows(page);
        const root = list.find((r) => r.name === "POST /orders")!;
        const userServer = list.find((r) => r.name === "GET /users/:username")!;
        assert.equal(await page.textContent(`#span-${root.id} .badge.logs.warn`), "2 logs");
        assert.equal(await page.textContent(`#span-${userServer.id} .badge.logs`), "1 log");
        const orderLines = await spanLogs(page, root.id);
        assert.equal(orderLines.length, 2);
        assert.match(orderLines[0]!, /WARN\s*Unknown user; order refused\s*username=nobody/);
        assert.match(orderLines[1]!, /INFO\s*Request handled.*route=\/orders.*status=422/);
        const userLines = await spanLogs(page, userServer.id);
        assert.deepEqual(userLines.length, 1);
        assert.match(userLines[0]!, /status=404/);
      },
    );

    await view(
      "trace-failed-message: the retry and the dead letter under their attempts",
      async () => {
        await page.goto(`/trace/${live.failedMessageTraceId}`);
        const logs = await traceLogs(page);
        const consumerLines = logs.filter((l) => l.service === "consumer");
        assert.deepEqual(consumerLines.map((l) => [l.level, l.message]), [
          ["WARN", "Message failed; retry scheduled"],
          ["ERROR", "Message failed; dead-lettered"],
        ]);
        const attempts = (await rows(page)).filter((r) => r.kind === "consumer");
        assert.equal(attempts.length, 2);
        const [first, second] = attempts;
        assert.equal(await page.textContent(`#span-${second!.id} .badge.logs.error`), "1 log");
        assert.deepEqual(
          (await spanLogs(page, first!.id)).map((line) => /retry scheduled/.test(line)),
          [true],
        );
        assert.deepEqual(
          (await spanLogs(page, second!.id)).map((line) => /dead-lettered/.test(line)),
          [true],
        );
      },
    );

    await view("logs: the Logs view filters by level and each line opens its trace", async () => {
      await page.goto("/logs");
      await page.selectOption("select[name=level]", "error");
      await Promise.all([page.waitForURL(/level=error/), page.click("button.primary")]);
      const messages = await page.$$eval(
        "tr.log-line td.msg",
        (tds) => tds.map((td) => td.firstChild?.textContent ?? ""),
      );
      assert.ok(messages.includes("Message failed; dead-lettered"), messages.join(" | "));
      assert.ok(!messages.includes("Request handled"), "info lines are filtered out");
      const line = page.locator("tr.log-line", { hasText: "Message failed; dead-lettered" });
      await Promise.all([page.waitForURL(/\/trace\//), line.locator("a").click()]);
      assert.ok(page.url().includes(`/trace/${live.failedMessageTraceId}#span-`));
      const hostile = await page.goto(`/logs?q=${encodeURIComponent("from the log")}`);
      assert.equal(hostile?.status(), 200);
      assert.match(await page.textContent("tr.log-line td.msg") ?? "", /<script>alert\(5\)/);
      assert.equal(await page.locator("main script").count(), 0);
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
