/**
 * What the load generator does: each scenario is one request to one service, with the statuses
 * that count as success. Users it creates are remembered, so lookups and orders find them.
 */
import type { TracedFetch } from "../lib/telemetry/traced_fetch.ts";

/** The services' base URLs. */
export interface Targets {
  user: string;
  order: string;
  producer: string;
}

/** The names of the scenarios, as `--mix` spells them. */
export const SCENARIO_NAMES = [
  "create_user",
  "get_user",
  "order",
  "order_unknown_user",
  "send_high",
  "send_normal",
  "send_low",
  "send_bulk",
] as const;

/** One scenario's name. */
export type ScenarioName = typeof SCENARIO_NAMES[number];

/** The default mix: mostly reads and orders, some messages, a little bulk. */
export const DEFAULT_WEIGHTS: Readonly<Record<ScenarioName, number>> = {
  create_user: 1,
  get_user: 4,
  order: 3,
  order_unknown_user: 1,
  send_high: 1,
  send_normal: 2,
  send_low: 1,
  send_bulk: 0.5,
};

/** Users the run created, to look up and order for. */
export class KnownUsers {
  readonly #names: string[] = [];
  #next = 0;
  readonly #prefix: string;
  readonly #random: () => number;

  constructor(options: { prefix: string; random?: () => number }) {
    this.#prefix = options.prefix;
    this.#random = options.random ?? Math.random;
  }

  /** A username no one has yet. */
  fresh(): string {
    return `${this.#prefix}${this.#next++}`;
  }

  add(name: string): void {
    this.#names.push(name);
  }

  /** One of the created users, or `undefined` before any. */
  pick(): string | undefined {
    return this.#names[Math.floor(this.#random() * this.#names.length)];
  }

  get size(): number {
    return this.#names.length;
  }
}

/** What a scenario sends: method, URL, body, and the statuses that mean it worked. */
export interface ScenarioRequest {
  method: "GET" | "POST";
  url: string;
  body?: unknown;
  expect: readonly number[];
  /** Called after an expected status, e.g. to remember a created user. */
  onSuccess?: () => void;
}

/** Builds the request of one scenario run. */
export function scenarioRequest(
  name: ScenarioName,
  targets: Targets,
  users: KnownUsers,
): ScenarioRequest {
  const send = (priority: string) => ({
    method: "POST" as const,
    url: `${targets.producer}/send`,
    body: { content: `load ${priority}`, priority },
    expect: [202],
  });
  switch (name) {
    case "create_user": {
      const username = users.fresh();
      return {
        method: "POST",
        url: `${targets.user}/users`,
        body: { username, email: `${username}@example.com`, full_name: "Load Generator" },
        expect: [201],
        onSuccess: () => users.add(username),
      };
    }
    case "get_user":
      return {
        method: "GET",
        url: `${targets.user}/users/${users.pick() ?? users.fresh()}`,
        expect: users.size > 0 ? [200] : [404],
      };
    case "order":
      return {
        method: "POST",
        url: `${targets.order}/orders`,
        body: { username: users.pick() ?? "nobody", item: "tea", quantity: 2, unit_price: 3.5 },
        expect: users.size > 0 ? [201] : [422],
      };
    case "order_unknown_user":
      return {
        method: "POST",
        url: `${targets.order}/orders`,
        body: { username: users.fresh(), item: "tea", quantity: 1, unit_price: 1 },
        expect: [422],
      };
    case "send_high":
      return send("high");
    case "send_normal":
      return send("normal");
    case "send_low":
      return send("low");
    case "send_bulk":
      return {
        method: "POST",
        url: `${targets.producer}/send-bulk`,
        body: { content: "load bulk", priority: "low", count: 10 },
        expect: [202],
      };
  }
}

/** Sends one scenario request; resolves whether it got an expected status. */
export async function runScenario(request: ScenarioRequest, fetch: TracedFetch): Promise<boolean> {
  const response = await fetch(request.url, {
    method: request.method,
    ...(request.body === undefined ? {} : {
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request.body),
    }),
  });
  await response.body?.cancel();
  const ok = request.expect.includes(response.status);
  if (ok) request.onSuccess?.();
  return ok;
}
