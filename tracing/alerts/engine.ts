/**
 * Latency and error-rate alerts: rules from ALERT_RULES and the API are evaluated on a timer over
 * the store; firing and resolved transitions are logged, kept for `list()` and POSTed to the
 * webhook when one is set.
 */
import type { Logger } from "../../lib/log.ts";
import type { AlertRule } from "./rule.ts";
import type { StoreQueries } from "../store/query.ts";
import { latencyStats } from "../query/trace_view.ts";

/** The current state of one rule. */
export interface AlertState {
  rule: AlertRule;
  state: "ok" | "firing";
  /** The last measured value (ms or ratio), `null` with no data. */
  value: number | null;
  since: string | null;
  evaluated_at: string | null;
}

/** The alert engine. */
export interface AlertEngine {
  list(): AlertState[];
  addRule(rule: AlertRule): void;
  removeRule(name: string): boolean;
  /** Evaluates every rule now; resolves when webhooks were sent. */
  evaluate(): Promise<void>;
  /** Starts the timer. */
  start(): void;
  close(): Promise<void>;
}

/** Creates the engine; `fetch` and `now` are injectable for tests. */
export function createAlertEngine(options: {
  store: StoreQueries;
  rules: readonly AlertRule[];
  intervalMs: number;
  webhookUrl?: string;
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => number;
}): AlertEngine {
  const now = options.now ?? Date.now;
  const states = new Map<string, AlertState>();
  const pending = new Set<Promise<void>>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const add = (rule: AlertRule) =>
    states.set(rule.name, { rule, state: "ok", value: null, since: null, evaluated_at: null });
  options.rules.forEach(add);

  const notify = (state: AlertState) => {
    const fields = {
      alert: state.rule.name,
      state: state.state,
      value: state.value,
      threshold: state.rule.threshold,
    };
    if (state.state === "firing") options.logger.warn("Alert firing", fields);
    else options.logger.info("Alert resolved", fields);
    if (options.webhookUrl === undefined) return;
    const sent = (options.fetch ?? fetch)(options.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...fields, rule: state.rule, since: state.since }),
      signal: AbortSignal.timeout(5000),
    }).then((response) => response.body?.cancel())
      .catch((error) => options.logger.debug("Alert webhook failed", { error }))
      .finally(() => pending.delete(sent));
    pending.add(sent);
  };

  const evaluate = async () => {
    for (const state of states.values()) {
      const { rule } = state;
      const samples = options.store.spanSamples({
        service: rule.service,
        ...(rule.operation === undefined ? {} : { operation: rule.operation }),
        sinceUs: (now() - rule.windowMs) * 1000,
      });
      const stats = latencyStats(samples, rule.windowMs);
      const value = rule.metric === "error_rate"
        ? (stats.count === 0 ? null : stats.error_rate)
        : stats[`${rule.metric}_ms`];
      const firing = value !== null && value > rule.threshold;
      state.value = value;
      state.evaluated_at = new Date(now()).toISOString();
      if (firing !== (state.state === "firing")) {
        state.state = firing ? "firing" : "ok";
        state.since = state.evaluated_at;
        notify(state);
      }
    }
    await Promise.all(pending);
  };

  return {
    list: () => [...states.values()],
    addRule: add,
    removeRule: (name) => states.delete(name),
    evaluate,
    start() {
      timer ??= setInterval(() => {
        evaluate().catch((error) => options.logger.error("Alert evaluation failed", { error }));
      }, options.intervalMs);
    },
    async close() {
      clearInterval(timer);
      timer = undefined;
      await Promise.all(pending);
    },
  };
}
