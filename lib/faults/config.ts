/** FAULTS and FAULTS_TOKEN: the faults a service switches on at start, and who may switch them. */
import type { EnvReader } from "../config/env_reader.ts";
import { token } from "../config/parsers.ts";
import {
  type Declared,
  declareVariables,
  Invalid,
  type Parser,
  type VariableInit,
} from "../config/variables.ts";
import { type FaultDeclaration, type FaultState, parseFaultList } from "./fault.ts";

/** What a service's config knows about its faults. */
export interface FaultsConfig {
  /** FAULTS: the faults switched on at start, with their parameters. */
  readonly initial: ReadonlyMap<string, FaultState>;
  /** FAULTS_TOKEN: when set, switching a fault needs it. */
  readonly token: string | undefined;
}

/** The declared FAULTS and FAULTS_TOKEN. */
export type FaultVariables = Declared<{
  FAULTS: VariableInit<Map<string, FaultState>>;
  FAULTS_TOKEN: VariableInit<string>;
}>;

/** The variables of a service's faults; `FAULTS`' meaning names the faults it declares. */
export function faultVariables(declared: readonly FaultDeclaration[]): FaultVariables {
  return declareVariables("Faults", {
    FAULTS: {
      parse: faultList(declared),
      meaning: "faults switched on at start, `;`-separated `name` or " +
        "`name:param=value,...` (`slow_query:delay_ms=300,jitter_ms=30`); here: " +
        declared.map((fault) => `\`${fault.name}\``).join(", ") + " (docs/faults.md)",
    },
    FAULTS_TOKEN: {
      parse: token(),
      secret: true,
      meaning: "when set, `PUT /faults/{name}` needs `authorization: Bearer <token>`; " +
        "`GET /faults` stays open",
    },
  });
}

/** Reads FAULTS and FAULTS_TOKEN. */
export function readFaultsConfig(
  read: EnvReader,
  declared: readonly FaultDeclaration[],
): FaultsConfig {
  const v = faultVariables(declared);
  return Object.freeze({
    initial: read.optional(v.FAULTS) ?? new Map(),
    token: read.optional(v.FAULTS_TOKEN),
  });
}

function faultList(declared: readonly FaultDeclaration[]): Parser<Map<string, FaultState>> {
  return (value) => {
    const parsed = parseFaultList(value, declared);
    if (!Array.isArray(parsed)) return parsed;
    return new Invalid(`";"-separated name or name:param=value,... entries; ${parsed.join("; ")}`);
  };
}
