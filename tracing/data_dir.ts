/**
 * What the tracing service keeps in DATA_DIR, opened in the order a restart needs: the write-ahead
 * log (unless WAL_ENABLED=false), then the store and the parts behind it, then the log's replay, so
 * what a crash left unwritten is stored before either port listens.
 */
import { join } from "node:path";
import type { Logger } from "../lib/log.ts";
import type { TracingConfig } from "./config.ts";
import { WriteAheadLog } from "./ingest/wal.ts";
import { replayWal } from "./ingest/wal_replay.ts";
import { openTracingParts, type TracingParts } from "./parts.ts";

/** The running parts, and the write-ahead log that ingest appends to before it answers. */
export interface TracingData extends TracingParts {
  wal?: WriteAheadLog;
}

/** Opens DATA_DIR's write-ahead log and store, starts the parts and replays the log. */
export async function openTracingData(
  config: TracingConfig,
  options: { logger: Logger },
): Promise<TracingData> {
  const { logger } = options;
  await Deno.mkdir(config.dataDir, { recursive: true });
  const wal = config.wal.enabled
    ? await WriteAheadLog.open(join(config.dataDir, "wal"), { sync: config.wal.sync })
    : undefined;
  const parts = openTracingParts(config, {
    logger,
    path: join(config.dataDir, "traces.db"),
    ...(wal === undefined ? {} : { wal }),
  });
  if (wal === undefined) return parts;
  await replayWal(wal, { pipeline: parts.pipeline, logger });
  return { ...parts, wal };
}
