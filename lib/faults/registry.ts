/**
 * The faults a service declared and their current state: switched by `PUT /faults/{name}` or at
 * start by `FAULTS`, read on the hot path by the code each fault slows or breaks.
 */
import type { Logger } from "../log.ts";
import {
  applyFaultChange,
  type FaultDeclaration,
  type FaultKind,
  type FaultState,
} from "./fault.ts";

/** A fault as `GET /faults` lists it. */
export interface FaultView {
  name: string;
  kind: FaultKind;
  description: string;
  state: FaultState;
}

/** A delay drawn for one call, with the parameters it was drawn from. */
export interface DrawnDelay {
  ms: number;
  delayMs: number;
  jitterMs: number;
}

/** Raised when a name is not one of the service's faults. */
export class UnknownFaultError extends Error {
  constructor(name: string, known: readonly string[]) {
    super(`Unknown fault "${name}": expected one of ${known.join(", ")}`);
    this.name = "UnknownFaultError";
  }
}

/** Where a switch came from, as logged and counted. */
export type SwitchSource = "api" | "start";

/** The declared faults of one service and their states. */
export class FaultRegistry {
  readonly #declared = new Map<string, FaultDeclaration>();
  readonly #states = new Map<string, FaultState>();
  readonly #switches = new Map<string, number>();
  readonly #logger: Logger | undefined;
  readonly #random: () => number;

  /** `initial` (from `FAULTS`) switches faults on at start; the switch is logged and counted. */
  constructor(
    declared: readonly FaultDeclaration[],
    options: {
      logger?: Logger;
      initial?: ReadonlyMap<string, FaultState>;
      random?: () => number;
    } = {},
  ) {
    this.#logger = options.logger;
    this.#random = options.random ?? Math.random;
    for (const fault of declared) {
      this.#declared.set(fault.name, fault);
      this.#states.set(fault.name, fault.initial);
    }
    for (const [name, state] of options.initial ?? []) {
      this.#switch(this.#fault(name), state, "start");
    }
  }

  /** Every fault with its state, in declaration order. */
  list(): FaultView[] {
    return [...this.#declared.keys()].map((name) => this.view(name));
  }

  /** One fault with its state; throws `UnknownFaultError`. */
  view(name: string): FaultView {
    const fault = this.#fault(name);
    return {
      name,
      kind: fault.kind,
      description: fault.description,
      state: this.#states.get(name)!,
    };
  }

  /**
   * Switches a fault by a JSON change (`{"enabled":true,"rate":0.2}`) and answers its new view;
   * throws `UnknownFaultError` or `InvalidFaultChangeError`.
   */
  change(name: string, change: unknown, source: SwitchSource = "api"): FaultView {
    const fault = this.#fault(name);
    this.#switch(fault, applyFaultChange(fault, this.#states.get(name)!, change), source);
    return this.view(name);
  }

  /** Whether a fault is on. */
  enabled(name: string): boolean {
    return this.#states.get(name)?.enabled === true;
  }

  /** For an enabled delay fault, the delay for one call: `delay_ms` ± up to `jitter_ms`. */
  delay(name: string): DrawnDelay | undefined {
    const state = this.#states.get(name);
    if (state?.enabled !== true || !("delay_ms" in state)) return undefined;
    const jitter = (this.#random() * 2 - 1) * state.jitter_ms;
    const ms = Math.max(0, Math.round(state.delay_ms + jitter));
    return { ms, delayMs: state.delay_ms, jitterMs: state.jitter_ms };
  }

  /** For an enabled share fault, whether this call is one of the share it hits; else `undefined`. */
  hits(name: string): { rate: number } | undefined {
    const state = this.#states.get(name);
    if (state?.enabled !== true || !("rate" in state)) return undefined;
    return this.#random() < state.rate ? { rate: state.rate } : undefined;
  }

  /** Switches so far, by `<fault>,<on|off>`, for `/metrics`. */
  switchCounts(): ReadonlyMap<string, number> {
    return this.#switches;
  }

  #fault(name: string): FaultDeclaration {
    const fault = this.#declared.get(name);
    if (fault === undefined) throw new UnknownFaultError(name, [...this.#declared.keys()]);
    return fault;
  }

  #switch(fault: FaultDeclaration, state: FaultState, source: SwitchSource): void {
    this.#states.set(fault.name, state);
    const key = `${fault.name},${state.enabled ? "on" : "off"}`;
    this.#switches.set(key, (this.#switches.get(key) ?? 0) + 1);
    this.#logger?.info(state.enabled ? "Fault switched on" : "Fault switched off", {
      fault: fault.name,
      ...state,
      source,
    });
  }
}
