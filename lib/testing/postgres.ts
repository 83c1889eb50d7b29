/**
 * A PostgreSQL database of its own for each test, on the shared server: created empty, dropped
 * (with its connections) after. The server is never stopped: an outage is simulated on the test's
 * own database by refusing new connections and terminating the open ones.
 */
// @ts-types="@types/pg"
import pg from "pg";
import { createLogger } from "../log.ts";
import { PostgresDatabase } from "../postgres.ts";
import { createTestTelemetry } from "./telemetry.ts";

/**
 * Where the tests' server answers; a database is created on it per test. The default names the
 * `postgres` database, which every cluster has, so the README's `bash .ci/services && deno task
 * test` needs no database made by hand.
 */
export const TEST_POSTGRES_URL = Deno.env.get("TEST_POSTGRES_URL") ??
  "postgres://postgres@127.0.0.1:5432/postgres";

/** Prefix of the tests' database names; `.ci/run` sets one per run and drops what is left. */
const PREFIX = Deno.env.get("TEST_DATABASE_PREFIX") ?? "test_";

/** A database created for one test. */
export interface TestDatabase {
  readonly name: string;
  /** Its URL, for DATABASE_URL. */
  readonly url: string;
  /** Runs SQL in the test database, on a connection of the test's own. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Opens a connection of the test's own in the test database, e.g. to hold a lock. */
  connect(): Promise<pg.PoolClient>;
  /** Refuses new connections and terminates the open ones whose application_name matches. */
  goDown(applicationNames?: readonly string[]): Promise<void>;
  /** Accepts connections again. */
  comeBack(): Promise<void>;
  /** Terminates the given backends' sessions. */
  terminate(pids: readonly number[]): Promise<void>;
  /** Drops the database and closes every connection the kit opened. */
  drop(): Promise<void>;
}

/** Creates an empty database named after `label`; fails clearly when PostgreSQL does not answer. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const admin = new pg.Pool({ connectionString: TEST_POSTGRES_URL, max: 1 });
  admin.on("error", () => {});
  const name = `${PREFIX}${label}_${crypto.randomUUID().slice(0, 8)}`.toLowerCase()
    .replace(/[^a-z0-9_]/g, "_");
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end();
    throw new Error(
      `PostgreSQL at ${TEST_POSTGRES_URL} did not let the test create a database: ${
        (error as Error).message
      } (start it, or set TEST_POSTGRES_URL)`,
      { cause: error },
    );
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  const own = new pg.Pool({ connectionString: url.toString(), max: 2, application_name: "test" });
  // The kit's own connections are terminated too when the test takes the database down.
  own.on("error", () => {});
  const terminate = async (filter: string, params: unknown[]) => {
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 ${filter}`,
      [name, ...params],
    );
  };
  return {
    name,
    url: url.toString(),
    query: async <T>(sql: string, params: unknown[] = []) =>
      (await own.query(sql, params)).rows as T[],
    connect: () => own.connect(),
    goDown: async (applicationNames) => {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      if (applicationNames === undefined) await terminate("", []);
      else await terminate("AND application_name = ANY($2)", [applicationNames]);
    },
    comeBack: async () => {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    },
    terminate: async (pids) => {
      await admin.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [pids]);
    },
    drop: async () => {
      await own.end();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/**
 * Two `PostgresDatabase` pools on one fresh test database, as two replicas of a service would have,
 * each wrapped by `open` (a store factory); closes and drops everything after `work`.
 */
export async function withReplicaStores<Store>(
  label: string,
  open: (db: PostgresDatabase) => Promise<Store>,
  work: (stores: [Store, Store], testDb: TestDatabase) => Promise<void>,
): Promise<void> {
  const testDb = await createTestDatabase(label);
  const { telemetry } = createTestTelemetry();
  const logger = createLogger({ service: label, level: "error" });
  const dbs = [1, 2].map(() =>
    new PostgresDatabase(testDb.url, {
      tracer: telemetry.tracer,
      logger,
      poolSize: 2,
      statementTimeoutMs: 5000,
    })
  );
  try {
    const [one, two] = await Promise.all(dbs.map(open));
    await work([one!, two!], testDb);
  } finally {
    await Promise.all(dbs.map((db) => db.close()));
    await testDb.drop();
  }
}
