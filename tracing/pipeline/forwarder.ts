/**
 * Fan-out: forwards each accepted OTLP request, as received, to zero or more OTLP/HTTP endpoints.
 * Each endpoint has a bounded queue and one sender that retries with exponential backoff; a full
 * queue drops the oldest request and counts it, so a dead downstream never slows ingest.
 * A downstream that answers 404 for a signal (Jaeger takes traces, not logs) is not sent that
 * signal again: said once at info, neither counted as failing nor retried.
 */
import { redactUrl } from "../../lib/config/redact_url.ts";
import type { Logger } from "../../lib/log.ts";

/** One request to forward. */
export interface ForwardItem {
  /** `/v1/traces`, `/v1/logs` or `/v1/metrics`. */
  path: string;
  body: Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

/** Outcomes reported per endpoint. */
export type ForwardOutcome = "sent" | "failed" | "dropped";

/** The forwarder. */
export interface Forwarder {
  forward(item: ForwardItem): void;
  /** Requests waiting, over all endpoints. */
  queued(): number;
  /** Stops senders; what is still queued is dropped after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/** Options of `createForwarder`. */
export interface ForwarderOptions {
  endpoints: readonly string[];
  queueSize: number;
  maxAttempts: number;
  timeoutMs: number;
  logger: Logger;
  /** First backoff delay; doubles per attempt. */
  backoffMs?: number;
  onOutcome?: (endpoint: string, outcome: ForwardOutcome) => void;
  fetch?: typeof fetch;
}

/** Creates a forwarder; with no endpoints it does nothing. */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const senders = options.endpoints.map((endpoint) => createSender(endpoint, options));
  return {
    forward: (item) => senders.forEach((sender) => sender.push(item)),
    queued: () => senders.reduce((sum, sender) => sum + sender.queue.length, 0),
    close: async (graceMs = 1000) => {
      await Promise.all(senders.map((sender) => sender.close(graceMs)));
    },
  };
}

function createSender(endpoint: string, options: ForwarderOptions) {
  const base = endpoint.replace(/\/+$/, "").replace(/\/v1\/(traces|logs|metrics)$/, "");
  const doFetch = options.fetch ?? fetch;
  // Logs and the per-endpoint metrics show the endpoint without its credentials.
  const shown = redactUrl(base);
  const report = (outcome: ForwardOutcome) => options.onOutcome?.(shown, outcome);
  const queue: ForwardItem[] = [];
  const abort = new AbortController();
  let running: Promise<void> | undefined;
  let failing = false;
  /** Paths (signals) the endpoint answered 404 to. */
  const unsupported = new Set<string>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });

  const send = async (item: ForwardItem): Promise<boolean | "unsupported"> => {
    for (let attempt = 1; attempt <= options.maxAttempts && !abort.signal.aborted; attempt++) {
      try {
        const response = await doFetch(base + item.path, {
          method: "POST",
          headers: item.headers,
          body: item.body,
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(options.timeoutMs)]),
        });
        await response.body?.cancel();
        if (response.ok) return true;
        if (response.status === 404) return "unsupported";
        // Only 429, 502, 503 and 504 are retryable in OTLP/HTTP; anything else is final.
        if (![429, 502, 503, 504].includes(response.status)) return false;
      } catch {
        // Connection refused, timeout: retry after the backoff.
      }
      if (attempt < options.maxAttempts) {
        await sleep((options.backoffMs ?? 200) * 2 ** (attempt - 1));
      }
    }
    return false;
  };

  const drain = async (): Promise<void> => {
    while (queue.length > 0 && !abort.signal.aborted) {
      const item = queue.shift() as ForwardItem;
      const sent = await send(item);
      if (sent === "unsupported") {
        if (!unsupported.has(item.path)) {
          options.logger.info("Forwarding endpoint does not accept this signal; not sending it", {
            endpoint: shown,
            path: item.path,
          });
        }
        unsupported.add(item.path);
        report("dropped");
        continue;
      }
      const ok = sent;
      report(ok ? "sent" : "failed");
      if (ok && failing) options.logger.info("Forwarding recovered", { endpoint: shown });
      if (!ok && !failing) options.logger.warn("Forwarding failing", { endpoint: shown });
      failing = !ok;
    }
    running = undefined;
  };

  return {
    queue,
    push(item: ForwardItem) {
      if (unsupported.has(item.path)) return;
      if (abort.signal.aborted) return report("dropped");
      if (queue.length >= options.queueSize) {
        queue.shift();
        report("dropped");
      }
      queue.push(item);
      running ??= drain();
    },
    async close(graceMs: number) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([running ?? Promise.resolve(), grace]);
      clearTimeout(timer);
      abort.abort();
      await running;
      for (const _ of queue.splice(0)) report("dropped");
    },
  };
}
