/**
 * Spans that come from inside the service (the span API's ended spans) logged like an OTLP
 * request, so the replay at start stores them through the same path.
 */
import type { Logger } from "../../lib/log.ts";
import type { Pipeline } from "../pipeline/pipeline.ts";
import { toResourceSpans } from "../query/otlp_json_out.ts";
import type { SpanRecord } from "../span_model.ts";
import type { WalRecord, WriteAheadLog } from "./wal.ts";

const encoder = new TextEncoder();

/** An OTLP JSON record of `spans`, which the replay normalizes back into the same spans. */
export function spansRecord(spans: readonly SpanRecord[]): WalRecord {
  const payload = encoder.encode(JSON.stringify({ resourceSpans: toResourceSpans(spans) }));
  return { signal: "traces", encoding: "json", payload };
}

/**
 * Hands `spans` to the pipeline, logged first when there is a log and room for them. A log that
 * cannot be written is logged as an error, not thrown: the span API's sweep timer calls this too.
 */
export function acceptLoggedSpans(
  spans: readonly SpanRecord[],
  deps: { pipeline: Pipeline; wal?: WriteAheadLog | undefined; logger: Logger },
): boolean {
  if (deps.wal !== undefined && deps.pipeline.hasRoom(spans.length)) {
    try {
      deps.wal.append(spansRecord(spans), spans);
    } catch (error) {
      deps.logger.error("Logging span API spans failed: a crash now would lose them", { error });
    }
  }
  return deps.pipeline.acceptSpans(spans);
}
