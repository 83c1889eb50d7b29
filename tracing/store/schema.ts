/**
 * The trace store's SQLite schema, its settings, and the upgrade from the first schema.
 *
 * Version 2 (`PRAGMA user_version = 2`) stores each distinct resource once in `resources` and
 * has spans reference it; a span row keeps only what queries filter on plus its own attributes
 * (`tags`, flat, for tag search) and the rest of the span (`data`). A version 1 file (the
 * resource copied into every span) is upgraded in place on open, in one transaction; a file of
 * a newer version is refused.
 *
 * Version 3 drops the `(service, start_us)` index: searches by service alone merge the
 * `(service, operation, start_us)` index over the service's operations instead, which saves
 * ingest one of its three time-ordered index inserts per span. Its rows may also leave
 * attributes out of `data` (see codec.ts); version 2 rows read unchanged, so the upgrade
 * from 2 only drops the index.
 */
import type { DatabaseSync } from "node:sqlite";
import type { SpanRecord } from "../span_model.ts";

/** The schema version this build reads and writes. */
export const SCHEMA_VERSION = 3;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spans (
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT NOT NULL,
  service TEXT NOT NULL,
  operation TEXT NOT NULL,
  kind INTEGER NOT NULL,
  start_us INTEGER NOT NULL,
  duration_us INTEGER NOT NULL,
  error INTEGER NOT NULL,
  resource_id INTEGER NOT NULL,
  tags TEXT,
  data TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS spans_by_id ON spans (trace_id, span_id);
CREATE INDEX IF NOT EXISTS spans_by_operation ON spans (service, operation, start_us);
CREATE INDEX IF NOT EXISTS spans_by_start ON spans (start_us);
CREATE TABLE IF NOT EXISTS resources (
  id INTEGER PRIMARY KEY,
  data TEXT NOT NULL UNIQUE,
  tags TEXT NOT NULL,
  last_us INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS logs (
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  time_us INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_by_trace ON logs (trace_id);
CREATE INDEX IF NOT EXISTS logs_by_time ON logs (time_us);
CREATE TABLE IF NOT EXISTS operations (
  service TEXT NOT NULL,
  operation TEXT NOT NULL,
  kind INTEGER NOT NULL,
  PRIMARY KEY (service, operation, kind)
) WITHOUT ROWID;
`;

const V1_INDEXES = ["spans_by_id", "spans_by_service", "spans_by_operation", "spans_by_start"];

/**
 * Applies the settings and creates or upgrades the schema. `write` stores spans of a version 1
 * file again in the new layout; it runs inside the upgrade's transaction.
 */
export function prepareSchema(
  db: DatabaseSync,
  path: string,
  write: (spans: readonly SpanRecord[]) => void,
): void {
  // auto_vacuum must be chosen before the first table exists; retention relies on it.
  db.exec("PRAGMA auto_vacuum = INCREMENTAL");
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000");
  // Ingest writes many small random index entries: a 64 MB page cache keeps the trace id index
  // hot, and checkpointing every 10,000 pages (not 1,000) writes each hot page back less often.
  db.exec("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY");
  db.exec("PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 67108864");
  const version = Number(
    (db.prepare("PRAGMA user_version").get() as { user_version: number })
      .user_version,
  );
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `Unsupported trace store "${path}": schema version ${version} is newer than this ` +
        `build's ${SCHEMA_VERSION}: run a newer build or point DATA_DIR elsewhere`,
    );
  }
  if (version === SCHEMA_VERSION) {
    db.exec(SCHEMA);
    return;
  }
  const legacy = version < 2 &&
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'spans'")
        .get() !== undefined;
  db.exec("BEGIN IMMEDIATE");
  try {
    if (legacy) {
      for (const index of V1_INDEXES) db.exec(`DROP INDEX IF EXISTS ${index}`);
      db.exec("ALTER TABLE spans RENAME TO spans_v1");
    }
    db.exec("DROP INDEX IF EXISTS spans_by_service");
    db.exec(SCHEMA);
    if (legacy) {
      let batch: SpanRecord[] = [];
      for (const row of db.prepare("SELECT data FROM spans_v1").iterate()) {
        batch.push(JSON.parse((row as { data: string }).data));
        if (batch.length === 2000) {
          write(batch);
          batch = [];
        }
      }
      write(batch);
      db.exec("DROP TABLE spans_v1");
    }
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw new Error(`Upgrading trace store "${path}" failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
