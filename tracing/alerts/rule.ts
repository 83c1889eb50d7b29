/** Latency and error-rate alert rules: their shape and validation. */
import { z } from "zod";

/** What a rule watches. Percentiles compare milliseconds; `error_rate` compares a 0-1 ratio. */
export const ALERT_METRICS = ["p50", "p90", "p95", "p99", "error_rate"] as const;

/** A validated rule. */
export interface AlertRule {
  readonly name: string;
  readonly service: string;
  readonly operation?: string;
  readonly metric: typeof ALERT_METRICS[number];
  readonly threshold: number;
  readonly windowMs: number;
}

/** The JSON shape of a rule, in ALERT_RULES and in `POST /api/v1/alerts/rules`. */
export const alertRuleSchema = z.object({
  name: z.string().min(1).max(200).optional(),
  service: z.string().min(1).max(200),
  operation: z.string().min(1).max(500).optional(),
  metric: z.enum(ALERT_METRICS),
  threshold: z.number().nonnegative(),
  window_ms: z.number().int().min(1000).max(7 * 24 * 3600_000).default(60_000),
});

/** Turns the JSON shape into a rule, naming it when no name was given. */
export function toAlertRule(input: z.output<typeof alertRuleSchema>): AlertRule {
  const target = input.operation === undefined
    ? input.service
    : `${input.service} ${input.operation}`;
  return {
    name: input.name ?? `${target} ${input.metric} > ${input.threshold}`,
    service: input.service,
    ...(input.operation === undefined ? {} : { operation: input.operation }),
    metric: input.metric,
    threshold: input.threshold,
    windowMs: input.window_ms,
  };
}

/** Parses ALERT_RULES; returns the rules or what a valid value looks like. */
export function parseAlertRules(text: string): AlertRule[] | string {
  const expected =
    'a JSON array of {"service","operation"?,"metric":"p50|p90|p95|p99|error_rate","threshold","window_ms"?}';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return expected;
  }
  const result = z.array(alertRuleSchema).safeParse(value);
  if (!result.success) return expected;
  const rules = result.data.map(toAlertRule);
  const names = rules.map((rule) => rule.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  return twice === undefined ? rules : `${expected}, each name once (twice: "${twice}")`;
}
