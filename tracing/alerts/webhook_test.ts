import assert from "node:assert/strict";
import { createLogger } from "../../lib/log.ts";
import { AlertWebhook } from "./webhook.ts";

/** A real local receiver answering the statuses in `answers` in turn (then 204). */
function receiver(answers: number[]) {
  const received: { state: string; status: number }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.json();
    const status = answers.shift() ?? 204;
    received.push({ state: body.state, status });
    return new Response(null, { status });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    received,
    close: () => server.shutdown(),
  };
}

function setup(url: string) {
  const logged: Record<string, unknown>[] = [];
  const slept: number[] = [];
  const webhook = new AlertWebhook({
    url,
    logger: createLogger({ service: "test", write: (line) => logged.push(JSON.parse(line)) }),
    sleep: (ms) => Promise.resolve(void slept.push(ms)),
  });
  return { webhook, logged, slept };
}

Deno.test("AlertWebhook retries a 503 with backoff and keeps firing before resolved", async () => {
  const hook = receiver([503, 503]);
  try {
    const { webhook, logged, slept } = setup(hook.url);
    await Promise.all([
      webhook.send({ alert: "a", state: "firing" }),
      webhook.send({ alert: "a", state: "ok" }),
    ]);
    assert.deepEqual(hook.received, [
      { state: "firing", status: 503 },
      { state: "firing", status: 503 },
      { state: "firing", status: 204 },
      { state: "ok", status: 204 },
    ]);
    assert.deepEqual(slept, [250, 1000]);
    assert.deepEqual(logged.map((l) => l.msg), ["Alert webhook delivered after a retry"]);
  } finally {
    await hook.close();
  }
});

Deno.test("AlertWebhook gives up with a warning: after its tries, or at once on a 4xx", async (t) => {
  await t.step("500 three times", async () => {
    const hook = receiver([500, 500, 500]);
    try {
      const { webhook, logged } = setup(hook.url);
      await webhook.send({ alert: "a", state: "firing" });
      assert.equal(hook.received.length, 3);
      assert.deepEqual(logged.map((l) => [l.level, l.msg, l.reason]), [
        ["warn", "Alert webhook failed; the transition was not delivered", "answered 500"],
      ]);
    } finally {
      await hook.close();
    }
  });
  await t.step("400 once", async () => {
    const hook = receiver([400]);
    try {
      const { webhook, logged } = setup(hook.url);
      await webhook.send({ alert: "a", state: "ok" });
      assert.equal(hook.received.length, 1);
      assert.equal(logged[0]?.reason, "answered 400");
    } finally {
      await hook.close();
    }
  });
  await t.step("nothing listening", async () => {
    const { webhook, logged } = setup("http://127.0.0.1:9/hook");
    await webhook.send({ alert: "a", state: "firing" });
    assert.equal(logged.at(-1)?.level, "warn");
    assert.equal(logged.at(-1)?.url, "http://127.0.0.1:9/hook");
  });
});
