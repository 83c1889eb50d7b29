/**
 * One evaluation pass over every alert rule. Rules are grouped by target (a service, or one
 * operation of it); each operation a target needs is read once, from the start of its longest
 * window, in chunks of `SCAN_CHUNK_SPANS` (see store/span_scan.ts) into `TargetWindows`; then each
 * rule reads its value from its window's histogram, `RULES_PER_STEP` rules at a time. Between
 * chunks and steps the pass awaits `pause`, so the event loop is never held longer than one chunk
 * or one step, whatever the number of rules or of stored spans. A target that cannot be read
 * fails its own rules only.
 */
import type { OperationRow } from "../store/query.ts";
import type { SpanScan } from "../store/span_scan.ts";
import type { AlertRule } from "./rule.ts";
import { TargetWindows } from "./target_windows.ts";

/** Spans read per chunk. */
export const SCAN_CHUNK_SPANS = 1000;
/** Rules measured per step. */
export const RULES_PER_STEP = 50;

/** The store reads a pass needs. */
export interface RuleStore extends SpanScan {
  operations(service?: string): OperationRow[];
}

/** A rule's value (ms or ratio; `null` without data), or why it could not be measured. */
export type Measurement = { value: number | null } | { error: string };

/** How a pass runs. */
export interface MeasureOptions {
  store: RuleStore;
  nowMs: number;
  /** Awaited between chunks and steps: gives the event loop back. */
  pause: () => Promise<void>;
  /** Checked after each pause: when it says so, the pass ends early with what it has. */
  stopped?: () => boolean;
}

const QUANTILES = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 } as const;

interface Target {
  service: string;
  operation: string | undefined;
  windowsMs: number[];
  windows?: TargetWindows;
  error?: string;
}

/** Measures `rules`; the map has an entry per rule unless the pass was stopped. */
export async function measureRules(
  rules: readonly AlertRule[],
  options: MeasureOptions,
): Promise<Map<AlertRule, Measurement>> {
  const { store, nowMs, pause } = options;
  const stopped = options.stopped ?? (() => false);
  const targets = new Map<string, Target>();
  const targetOf = (rule: AlertRule) => JSON.stringify([rule.service, rule.operation ?? null]);
  for (const rule of rules) {
    const key = targetOf(rule);
    const target = targets.get(key) ??
      { service: rule.service, operation: rule.operation, windowsMs: [] };
    target.windowsMs.push(rule.windowMs);
    targets.set(key, target);
  }
  // Each (service, operation) read once, for every target that counts it.
  const reads = new Map<string, { service: string; operation: string; into: Target[] }>();
  for (const target of targets.values()) {
    target.windows = new TargetWindows(target.windowsMs, nowMs);
    let operations: string[];
    try {
      operations = target.operation !== undefined
        ? [target.operation]
        : [...new Set(store.operations(target.service).map((row) => row.name))];
    } catch (error) {
      target.error = messageOf(error);
      continue;
    }
    for (const operation of operations) {
      const key = JSON.stringify([target.service, operation]);
      const read = reads.get(key) ?? { service: target.service, operation, into: [] };
      read.into.push(target);
      reads.set(key, read);
    }
  }
  for (const read of reads.values()) {
    const sinceUs = Math.min(...read.into.map((target) => target.windows!.sinceUs));
    try {
      let after;
      do {
        const chunk = store.scanSpans({
          service: read.service,
          operation: read.operation,
          sinceUs,
          // Spans dated after now belong to no window yet.
          untilUs: nowMs * 1000,
          ...(after === undefined ? {} : { after }),
          limit: SCAN_CHUNK_SPANS,
        });
        for (const span of chunk.spans) {
          for (const target of read.into) {
            target.windows!.add(span.startUs, span.durationUs, span.error);
          }
        }
        after = chunk.next;
        await pause();
        if (stopped()) return new Map();
      } while (after !== undefined);
    } catch (error) {
      for (const target of read.into) target.error ??= messageOf(error);
    }
  }
  const measured = new Map<AlertRule, Measurement>();
  for (let i = 0; i < rules.length; i += RULES_PER_STEP) {
    for (const rule of rules.slice(i, i + RULES_PER_STEP)) {
      const target = targets.get(targetOf(rule))!;
      try {
        if (target.error !== undefined) throw new Error(target.error);
        measured.set(rule, { value: valueOf(rule, target.windows!) });
      } catch (error) {
        measured.set(rule, { error: `Evaluating "${rule.name}" failed: ${messageOf(error)}` });
      }
    }
    await pause();
    if (stopped()) return new Map();
  }
  return measured;
}

function valueOf(rule: AlertRule, windows: TargetWindows): number | null {
  const histogram = windows.window(rule.windowMs);
  if (rule.metric === "error_rate") {
    return histogram.count === 0 ? null : histogram.errors / histogram.count;
  }
  const us = histogram.quantileUs(QUANTILES[rule.metric]);
  return us === null ? null : us / 1000;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
