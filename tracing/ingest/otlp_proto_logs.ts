/**
 * Decodes an OTLP/protobuf `ExportLogsServiceRequest` straight into stored log records, as
 * `otlp_proto_spans.ts` does for spans, so the ingest limits hold while reading: attributes over
 * the count are skipped on the wire, never decoded. The result equals
 * `normalizeLogs(decodeRequest("logs", bytes), "bytes")` (the test in `otlp_proto_logs_test.ts`
 * holds it to protobufjs). A body that is not protobuf throws `PayloadError`.
 */
import type { KeyValue, LogRecord } from "../span_model.ts";
import { DEFAULT_INGEST_LIMITS, emptyTally, type IngestLimits } from "./limits.ts";
import {
  emptyResult,
  fixed64Text,
  id,
  nanos,
  type Normalized,
  PayloadError,
  serviceName,
} from "./otlp_normalize.ts";
import { type Limiter, readAttribute, readAttributeList, readBody } from "./otlp_proto_values.ts";
import { ProtoReader, WireError } from "./proto_reader.ts";

/** Decodes and normalizes a protobuf logs export request under `limits`. */
export function decodeLogRecords(
  bytes: Uint8Array,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): Normalized<LogRecord> {
  const limiter: Limiter = { limits, tally: emptyTally() };
  const out = emptyResult<LogRecord>(limiter.tally);
  const r = new ProtoReader(bytes, { maxString: limits.valueLength });
  try {
    while (r.pos < r.length) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) resourceLogs(r, r.messageEnd(r.length), out, limiter);
      else r.skip(tag & 7);
    }
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    throw new PayloadError(`Invalid protobuf body: ${error.message}`);
  }
  limiter.tally.truncated += r.truncated;
  return out;
}

function resourceLogs(
  r: ProtoReader,
  end: number,
  out: Normalized<LogRecord>,
  limiter: Limiter,
): void {
  // The resource may follow its scopes on the wire: scopes are read once it is known.
  let resource: KeyValue[] = [];
  const scopes: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1) resource = readAttributeList(r, r.messageEnd(end), limiter);
    else if (field === 2) {
      const scopeEnd = r.messageEnd(end);
      scopes.push(r.pos, scopeEnd);
      r.pos = scopeEnd;
    } else r.skip(tag & 7);
  }
  r.finish(end);
  const service = serviceName(resource);
  for (let i = 0; i < scopes.length; i += 2) {
    r.pos = scopes[i]!;
    const scopeEnd = scopes[i + 1]!;
    const records: number[] = [];
    while (r.pos < scopeEnd) {
      const tag = r.uint32();
      if (tag >>> 3 === 2) {
        const recordEnd = r.messageEnd(scopeEnd);
        records.push(r.pos, recordEnd);
        r.pos = recordEnd;
      } else r.skip(tag & 7);
    }
    r.finish(scopeEnd);
    for (let j = 0; j < records.length; j += 2) {
      r.pos = records[j]!;
      try {
        out.items.push(logRecord(r, records[j + 1]!, service, limiter));
      } catch (error) {
        if (!(error instanceof PayloadError)) throw error;
        out.rejected++;
        out.firstError ??= error.message;
      }
    }
  }
  r.pos = end;
}

/** Reads a whole record, then checks it as `normalizeLogs` does, in its order. */
function logRecord(r: ProtoReader, end: number, service: string, limiter: Limiter): LogRecord {
  let time = "0";
  let observed = "0";
  let traceId: Uint8Array | null = null;
  let spanId: Uint8Array | null = null;
  let severityNumber = 0;
  let severityText = "";
  let body = {};
  const attributes: KeyValue[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        time = r.fixed64(fixed64Text);
        break;
      case 2:
        severityNumber = r.int32();
        break;
      case 3:
        severityText = r.string();
        break;
      case 5:
        body = readBody(r, r.messageEnd(end), limiter);
        break;
      case 6:
        readAttribute(r, r.messageEnd(end), attributes, limiter);
        break;
      case 9:
        traceId = r.bytes();
        break;
      case 10:
        spanId = r.bytes();
        break;
      case 11:
        observed = r.fixed64(fixed64Text);
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.finish(end);
  return {
    traceId: id(traceId, "bytes", 16, "traceId", true),
    spanId: id(spanId, "bytes", 8, "spanId", true),
    timeUnixNano: time === "0" ? nanos(observed, "time") : time,
    severityNumber,
    severityText,
    body,
    attributes,
    service,
  };
}
