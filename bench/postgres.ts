/**
 * Scenarios 1 and 2 with user and order on PostgreSQL (DATABASE_URL) next to their SQLite runs:
 * untraced and 100% sampled, each variant in a database of its own, dropped after. PostgreSQL must
 * answer on 127.0.0.1:5432 (TEST_POSTGRES_URL names another server). The server's own CPU time is
 * not in "server CPU per request", which counts our processes only.
 */
import { createTestDatabase, type TestDatabase } from "../lib/testing/postgres.ts";
import { tracingVariants, UNTRACED, type Variant } from "./context.ts";

const UNTRACED_POSTGRES = "untraced, PostgreSQL";
const SAMPLED_POSTGRES = "sampled 100%, PostgreSQL";

/**
 * What each PostgreSQL variant's ratio compares against: untraced PostgreSQL against untraced
 * SQLite (what the database costs), traced PostgreSQL against untraced PostgreSQL (what tracing
 * costs there).
 */
const RATIO_BASE: Readonly<Record<string, string>> = {
  [UNTRACED_POSTGRES]: UNTRACED,
  [SAMPLED_POSTGRES]: UNTRACED_POSTGRES,
};

/** The PostgreSQL variants, with the same telemetry env as their SQLite counterparts. */
export function postgresVariants(endpoints: { sink: string; tracing: string }): Variant[] {
  const byName = new Map(
    tracingVariants(endpoints, { deno: false, comparisons: false })
      .map((variant) => [variant.name, variant.env]),
  );
  return [
    { name: UNTRACED_POSTGRES, env: byName.get(UNTRACED)! },
    { name: SAMPLED_POSTGRES, env: byName.get("sampled 100%")! },
  ];
}

/** The variant a ratio is taken against. */
export function ratioBase(variant: string): string | undefined {
  if (variant === UNTRACED) return undefined;
  return RATIO_BASE[variant] ?? UNTRACED;
}

/** Databases of one scenario's PostgreSQL variants. */
export class BenchDatabases {
  readonly #databases: TestDatabase[] = [];

  /** `env` plus DATABASE_URL of a new database when `variant` is a PostgreSQL one. */
  async envFor(variant: Variant, label: string): Promise<Record<string, string>> {
    if (!(variant.name in RATIO_BASE)) return variant.env;
    const database = await createTestDatabase(`bench_${label}`);
    this.#databases.push(database);
    return { ...variant.env, DATABASE_URL: database.url };
  }

  /** Drops every database made. */
  async drop(): Promise<void> {
    await Promise.all(this.#databases.splice(0).map((database) => database.drop()));
  }
}
