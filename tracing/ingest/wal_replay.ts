/**
 * Replays the write-ahead log a crash left behind, before the service listens: each intact record
 * goes through the same path as an OTLP request (and so into the new log) before its old segment
 * is deleted, so a crash during the replay loses nothing either; then the queue is written. Replayed payloads are not
 * forwarded again. Spans replace their stored copy, so a record whose spans were already written
 * before the crash costs time but no duplicate.
 */
import type { Logger } from "../../lib/log.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import { acceptPayload } from "./otlp_app.ts";
import { readSegment, type WalRecord, type WriteAheadLog } from "./wal.ts";

/** How many records and items were put back in the pipeline. */
export interface ReplayOutcome {
  records: number;
  items: number;
}

/** Replays and then deletes every segment left by the previous run. */
export async function replayWal(
  wal: WriteAheadLog,
  deps: { pipeline: Pipeline; logger: Logger },
): Promise<ReplayOutcome> {
  const outcome: ReplayOutcome = { records: 0, items: 0 };
  for (const path of wal.leftover()) {
    const segment = await readSegment(path);
    for (const record of segment.records) {
      const items = replayRecord(record, wal, deps);
      outcome.records++;
      outcome.items += items;
    }
    if (segment.tornBytes > 0) {
      deps.logger.warn("Skipped the torn end of a write-ahead log segment", {
        path,
        bytes: segment.tornBytes,
      });
    }
    await wal.discard(path);
  }
  if (outcome.records > 0) {
    // Written before the service listens, so what was acknowledged is queryable from the start.
    deps.pipeline.flush();
    deps.logger.info("Replayed the write-ahead log", { ...outcome });
  }
  return outcome;
}

function replayRecord(
  record: WalRecord,
  wal: WriteAheadLog,
  deps: { pipeline: Pipeline; logger: Logger },
): number {
  try {
    let result = acceptPayload(record, deps.pipeline, wal);
    if (result === "overloaded") {
      // Nothing is listening yet: writing the queue now makes room without refusing anyone.
      deps.pipeline.flush();
      result = acceptPayload(record, deps.pipeline, wal);
    }
    if (result === "overloaded") {
      deps.logger.error("A write-ahead log record is larger than the write queue", {
        signal: record.signal,
        bytes: record.payload.byteLength,
      });
      return 0;
    }
    return result.items.length;
  } catch (error) {
    deps.logger.warn("Skipped an unreadable write-ahead log record", { error });
    return 0;
  }
}
