/**
 * A fault a service declares: its name, kind and defaults, the JSON shape that switches it, and
 * the `FAULTS` text that switches faults on at start (`slow_query:delay_ms=300,jitter_ms=30`).
 */
import { z } from "zod";
import { issueMessage } from "../http/issue_message.ts";

/** `delay`: wait `delay_ms` ± `jitter_ms`; `share`: hit a share `rate` of calls; `switch`: on/off. */
export type FaultKind = "delay" | "share" | "switch";

/** The state of a fault, as `GET /faults` lists it and `PUT /faults/{name}` answers it. */
export type FaultState =
  | { enabled: boolean; delay_ms: number; jitter_ms: number }
  | { enabled: boolean; rate: number }
  | { enabled: boolean };

/** One declared fault. */
export interface FaultDeclaration {
  readonly name: string;
  readonly kind: FaultKind;
  /** One line saying what it does, for the API and the page. */
  readonly description: string;
  /** The state it starts in when `FAULTS` does not name it (always disabled). */
  readonly initial: FaultState;
}

/** Longest delay and jitter a fault may ask for, in milliseconds. */
export const MAX_FAULT_DELAY_MS = 60_000;

/** Declares a fault that delays calls by `delay_ms` ± `jitter_ms`. */
export function delayFault(
  name: string,
  options: { description: string; delayMs: number; jitterMs: number },
): FaultDeclaration {
  return Object.freeze({
    name,
    kind: "delay",
    description: options.description,
    initial: Object.freeze({
      enabled: false,
      delay_ms: options.delayMs,
      jitter_ms: options.jitterMs,
    }),
  });
}

/** Declares a fault that hits a share `rate` (0 to 1) of calls. */
export function shareFault(
  name: string,
  options: { description: string; rate: number },
): FaultDeclaration {
  return Object.freeze({
    name,
    kind: "share",
    description: options.description,
    initial: Object.freeze({ enabled: false, rate: options.rate }),
  });
}

/** Declares a fault that is only on or off. */
export function switchFault(name: string, options: { description: string }): FaultDeclaration {
  return Object.freeze({
    name,
    kind: "switch",
    description: options.description,
    initial: Object.freeze({ enabled: false }),
  });
}

const milliseconds = z.number().int().min(0).max(MAX_FAULT_DELAY_MS);

/** The JSON each kind accepts; parameters left out keep their current values. */
export const FAULT_CHANGE_SCHEMAS = {
  delay: z.strictObject({
    enabled: z.boolean(),
    delay_ms: milliseconds.optional(),
    jitter_ms: milliseconds.optional(),
  }),
  share: z.strictObject({ enabled: z.boolean(), rate: z.number().min(0).max(1).optional() }),
  switch: z.strictObject({ enabled: z.boolean() }),
} as const satisfies Record<FaultKind, z.ZodType>;

/** What a valid change of `kind` looks like, for error messages. */
export const FAULT_CHANGE_SHAPES: Readonly<Record<FaultKind, string>> = {
  delay: `{"enabled":true,"delay_ms":0-${MAX_FAULT_DELAY_MS},"jitter_ms":0-${MAX_FAULT_DELAY_MS}}`,
  share: '{"enabled":true,"rate":0-1}',
  switch: '{"enabled":true}',
};

/** Raised for a change a fault does not accept; the message says what it would accept. */
export class InvalidFaultChangeError extends Error {
  constructor(name: string, detail: string, kind: FaultKind) {
    super(`Invalid change of fault "${name}": ${detail}; expected ${FAULT_CHANGE_SHAPES[kind]}`);
    this.name = "InvalidFaultChangeError";
  }
}

/** The new state of `fault` after `change` (unvalidated JSON); throws `InvalidFaultChangeError`. */
export function applyFaultChange(
  fault: FaultDeclaration,
  current: FaultState,
  change: unknown,
): FaultState {
  const parsed = FAULT_CHANGE_SCHEMAS[fault.kind].safeParse(change, { error: issueMessage });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? "" : `${issue.path.join(".")}: `;
    throw new InvalidFaultChangeError(
      fault.name,
      `${where}${issue?.message ?? "invalid"}`,
      fault.kind,
    );
  }
  const defined = Object.fromEntries(
    Object.entries(parsed.data).filter(([, value]) => value !== undefined),
  );
  return Object.freeze({ ...current, ...defined }) as FaultState;
}

/**
 * Parses `FAULTS`: faults to switch on at start, separated by `;`, each `name` or
 * `name:param=value,param=value` (`slow_query:delay_ms=300,jitter_ms=30;pool_of_one`). Returns the
 * states by name, or the problems, one per bad entry.
 */
export function parseFaultList(
  text: string,
  declared: readonly FaultDeclaration[],
): Map<string, FaultState> | string[] {
  const states = new Map<string, FaultState>();
  const problems: string[] = [];
  for (const entry of text.split(";").map((part) => part.trim()).filter((part) => part !== "")) {
    const colon = entry.indexOf(":");
    const name = (colon < 0 ? entry : entry.slice(0, colon)).trim();
    const fault = declared.find((candidate) => candidate.name === name);
    if (fault === undefined) {
      problems.push(`unknown fault "${name}" (known: ${declared.map((f) => f.name).join(", ")})`);
      continue;
    }
    const change: Record<string, unknown> = { enabled: true };
    const params = colon < 0 ? "" : entry.slice(colon + 1);
    for (const pair of params.split(",").map((part) => part.trim()).filter((p) => p !== "")) {
      const [key = "", value = ""] = pair.split("=").map((part) => part.trim());
      change[key] = value === "" || Number.isNaN(Number(value)) ? value : Number(value);
    }
    try {
      states.set(name, applyFaultChange(fault, fault.initial, change));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems.length > 0 ? problems : states;
}
