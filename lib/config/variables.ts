/**
 * Environment variables declared once: name, default, meaning, parser and whether the value is a
 * secret. `loadConfig` reads values through the declarations (`EnvReader.value`), `--help` and
 * the README's tables are generated from them, and the start-up log masks what they mark secret.
 */

/** What a valid value looks like, when a text is not one; `shown` replaces the text quoted. */
export class Invalid {
  constructor(readonly expected: string, readonly shown?: string | readonly string[]) {}
}

/** Turns a variable's (trimmed, non-blank) text into its value, or says what was expected. */
export type Parser<T> = (text: string) => T | Invalid;

/** One declared variable. */
export interface Variable<T> {
  readonly name: string;
  /** The default as written in env; `undefined`: unset, or derived as `meaning` says. */
  readonly default: string | undefined;
  /** One line for `--help` and the README (markdown backticks allowed). */
  readonly meaning: string;
  /** Masked in the start-up log (a URL keeps all but its password). */
  readonly secret: boolean;
  readonly parse: Parser<T>;
}

/** A titled set of variables, as `--help` and the README group them. */
export interface VariableGroup {
  readonly title: string;
  // deno-lint-ignore no-explicit-any
  readonly variables: readonly Variable<any>[];
}

/** How a variable is declared: everything but its name, which is the key. */
export interface VariableInit<T> {
  readonly parse: Parser<T>;
  readonly default?: string;
  readonly meaning: string;
  readonly secret?: boolean;
}

// deno-lint-ignore no-explicit-any
type Inits = Record<string, VariableInit<any>>;

/** The declared variables by name, plus the group that lists them in order. */
export type Declared<D extends Inits> =
  & { readonly [K in keyof D & string]: Variable<Exclude<ReturnType<D[K]["parse"]>, Invalid>> }
  & { readonly group: VariableGroup };

/**
 * Declares a group of variables, keyed by name:
 * `declareVariables("order", { USER_SERVICE_URL: { parse: url(), default: "...", meaning } })`.
 */
export function declareVariables<D extends Inits>(title: string, inits: D): Declared<D> {
  const variables = Object.entries(inits).map(([name, init]) =>
    Object.freeze({
      name,
      default: init.default,
      meaning: init.meaning,
      secret: init.secret ?? false,
      parse: init.parse,
    })
  );
  const group = Object.freeze({ title, variables: Object.freeze(variables) });
  return Object.freeze({
    ...Object.fromEntries(variables.map((variable) => [variable.name, variable])),
    group,
  }) as Declared<D>;
}
