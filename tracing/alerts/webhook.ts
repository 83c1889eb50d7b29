/**
 * Delivering alert transitions to ALERT_WEBHOOK_URL so they reach someone: one POST at a time, in
 * the order the transitions happened (a "resolved" never overtakes its "firing"), retried with
 * backoff on a network error, a timeout, 429 or 5xx, and a warning in the log when one is given
 * up, instead of a silent loss.
 */
import { redactUrl } from "../../lib/config/redact_url.ts";
import type { Logger } from "../../lib/log.ts";

/** What a transition POSTs. */
export interface AlertPayload {
  alert: string;
  state: "firing" | "ok";
  [field: string]: unknown;
}

/** What `AlertWebhook` needs; `fetch` and `sleep` are replaceable in tests. */
export interface AlertWebhookOptions {
  url: string;
  logger: Logger;
  /** Tries per transition (default 3). */
  attempts?: number;
  /** Waits before the second and later tries (default 250 ms, then 1 s). */
  backoffMs?: readonly number[];
  /** Per try (default 5 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** The webhook's delivery queue. */
export class AlertWebhook {
  readonly #options: AlertWebhookOptions;
  #tail: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: AlertWebhookOptions) {
    this.#options = options;
  }

  /** Queues a transition; resolves once it was delivered or given up (never rejects). */
  send(payload: AlertPayload): Promise<void> {
    this.#tail = this.#tail.then(() => this.#deliver(payload));
    return this.#tail;
  }

  /** Stops retrying: what is in flight gets its current try only. */
  close(): void {
    this.#closed = true;
  }

  async #deliver(payload: AlertPayload): Promise<void> {
    const { logger } = this.#options;
    const attempts = this.#options.attempts ?? 3;
    const backoff = this.#options.backoffMs ?? [250, 1000];
    const sleep = this.#options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    let failure = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        if (this.#closed) break;
        await sleep(backoff[Math.min(attempt - 2, backoff.length - 1)] ?? 1000);
      }
      const outcome = await this.#post(payload);
      if (outcome === "delivered") {
        if (attempt > 1) {
          logger.info("Alert webhook delivered after a retry", { ...payload, attempt });
        }
        return;
      }
      failure = outcome.reason;
      if (!outcome.retry) break;
    }
    logger.warn("Alert webhook failed; the transition was not delivered", {
      alert: payload.alert,
      state: payload.state,
      url: redactUrl(this.#options.url),
      reason: failure,
    });
  }

  async #post(
    payload: AlertPayload,
  ): Promise<"delivered" | { reason: string; retry: boolean }> {
    try {
      const response = await (this.#options.fetch ?? fetch)(this.#options.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5000),
      });
      await response.body?.cancel();
      if (response.ok) return "delivered";
      const retry = response.status === 429 || response.status >= 500;
      return { reason: `answered ${response.status}`, retry };
    } catch (error) {
      return { reason: error instanceof Error ? error.message : String(error), retry: true };
    }
  }
}
