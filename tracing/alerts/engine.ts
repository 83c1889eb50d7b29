/**
 * Latency and error-rate alerts: rules from ALERT_RULES and the API (at most ALERT_MAX_RULES, each
 * name once) are evaluated on a timer over the store (see measure_rules.ts: one read per target,
 * the event loop given back between chunks); firing and resolved transitions are logged, kept
 * for `list()` and POSTed to the webhook when one is set. A rule that cannot be evaluated keeps
 * its last state and shows why in `error`; the other rules go on.
 */
import { HttpError } from "../../lib/http/errors.ts";
import type { Logger } from "../../lib/log.ts";
import type { AlertRule } from "./rule.ts";
import { type Measurement, measureRules, type RuleStore } from "./measure_rules.ts";
import { AlertWebhook } from "./webhook.ts";

/** The current state of one rule. */
export interface AlertState {
  rule: AlertRule;
  state: "ok" | "firing";
  /** The last measured value (ms or ratio), `null` with no data. */
  value: number | null;
  since: string | null;
  evaluated_at: string | null;
  /** Why the last evaluation of this rule failed; `null` when it succeeded. */
  error: string | null;
}

/** What the engine needs. */
export interface AlertEngineOptions {
  store: RuleStore;
  rules: readonly AlertRule[];
  /** ALERT_MAX_RULES: adding a rule beyond it is refused. */
  maxRules: number;
  intervalMs: number;
  webhookUrl?: string | undefined;
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => number;
  /** Awaited between chunks of an evaluation; default: one turn of the event loop. */
  pause?: () => Promise<void>;
}

/** The alert engine. */
export class AlertEngine {
  readonly #options: AlertEngineOptions;
  readonly #now: () => number;
  readonly #states = new Map<string, AlertState>();
  readonly #pending = new Set<Promise<void>>();
  #running: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** ALERT_WEBHOOK_URL's delivery queue, made at the first transition. */
  #webhook: AlertWebhook | undefined;

  constructor(options: AlertEngineOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    for (const rule of options.rules) this.addRule(rule);
  }

  /** Every rule's state, in the order they were added. */
  list(): AlertState[] {
    return [...this.#states.values()];
  }

  /**
   * Adds a rule: 409 when one has its name (unless `replace`), 422 when ALERT_MAX_RULES are
   * already set. A replaced rule starts over (ok, no value).
   */
  addRule(rule: AlertRule, options: { replace?: boolean } = {}): "created" | "replaced" {
    const existing = this.#states.has(rule.name);
    if (existing && options.replace !== true) {
      throw new HttpError(
        409,
        "rule_exists",
        `Alert rule "${rule.name}" already exists: delete it first or PUT ` +
          "/api/v1/alerts/rules/:name to replace it",
      );
    }
    if (!existing && this.#states.size >= this.#options.maxRules) {
      throw new HttpError(
        422,
        "too_many_rules",
        `Too many alert rules: the limit is ${this.#options.maxRules} (ALERT_MAX_RULES); ` +
          "delete one first",
      );
    }
    this.#states.set(rule.name, {
      rule,
      state: "ok",
      value: null,
      since: null,
      evaluated_at: null,
      error: null,
    });
    return existing ? "replaced" : "created";
  }

  /** Removes the rule named `name`; `false` when there was none. */
  removeRule(name: string): boolean {
    return this.#states.delete(name);
  }

  /**
   * Evaluates every rule now (joining a pass already running); resolves when its webhooks were
   * sent.
   */
  evaluate(): Promise<void> {
    this.#running ??= this.#pass().finally(() => this.#running = undefined);
    return this.#running;
  }

  /** Starts the timer: each pass begins `intervalMs` after the previous one ended. */
  start(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(async () => {
      try {
        await this.evaluate();
      } catch (error) {
        this.#options.logger.error("Alert evaluation failed", { error });
      }
      this.#timer = undefined;
      this.start();
    }, this.#options.intervalMs);
  }

  /** Stops the timer, ends a running pass at its next pause, and waits for webhooks. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
    // What is in flight gets its current try, not the backoff of more.
    this.#webhook?.close();
    await Promise.all(this.#pending);
  }

  async #pass(): Promise<void> {
    const nowMs = this.#now();
    const rules = this.list().map((state) => state.rule);
    const measured = await measureRules(rules, {
      store: this.#options.store,
      nowMs,
      pause: this.#options.pause ?? (() => new Promise((resolve) => setTimeout(resolve, 0))),
      stopped: () => this.#closed,
    });
    const evaluatedAt = new Date(nowMs).toISOString();
    for (const [rule, measurement] of measured) {
      const state = this.#states.get(rule.name);
      // Removed or replaced while the pass ran.
      if (state === undefined || state.rule !== rule) continue;
      state.evaluated_at = evaluatedAt;
      this.#apply(state, measurement);
    }
    await Promise.all(this.#pending);
  }

  #apply(state: AlertState, measurement: Measurement): void {
    if ("error" in measurement) {
      if (state.error !== measurement.error) {
        this.#options.logger.warn("Alert rule evaluation failed", {
          alert: state.rule.name,
          error: measurement.error,
        });
      }
      state.error = measurement.error;
      return;
    }
    state.error = null;
    state.value = measurement.value;
    const firing = measurement.value !== null && measurement.value > state.rule.threshold;
    if (firing !== (state.state === "firing")) {
      state.state = firing ? "firing" : "ok";
      state.since = state.evaluated_at;
      this.#notify(state);
    }
  }

  #notify(state: AlertState): void {
    const { logger, webhookUrl } = this.#options;
    const fields = {
      alert: state.rule.name,
      state: state.state,
      value: state.value,
      threshold: state.rule.threshold,
    };
    if (state.state === "firing") logger.warn("Alert firing", fields);
    else logger.info("Alert resolved", fields);
    if (webhookUrl === undefined) return;
    this.#webhook ??= new AlertWebhook({ url: webhookUrl, logger, fetch: this.#options.fetch });
    const sent = this.#webhook.send({ ...fields, rule: state.rule, since: state.since })
      .finally(() => this.#pending.delete(sent));
    this.#pending.add(sent);
  }
}

/** Creates the engine; `fetch`, `now` and `pause` are injectable for tests. */
export function createAlertEngine(options: AlertEngineOptions): AlertEngine {
  return new AlertEngine(options);
}
