/**
 * Decodes an OTLP/protobuf `ExportLogsServiceRequest` straight into stored log records, as
 * `otlp_proto_spans.ts` does for spans, so the ingest limits hold while reading: attributes over
 * the count are skipped on the wire, never decoded. The result equals
 * `normalizeLogs(decodeRequest("logs", bytes), "bytes")` (the test in `otlp_proto_logs_test.ts`
 * holds it to protobufjs). A body that is not protobuf throws `PayloadError`.
 */
import type { KeyValue, LogRecord } from "../span_model.ts";
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from "./limits.ts";
import { fixed64Text, id, nanos, type Normalized } from "./otlp_normalize.ts";
import { decodeExport } from "./otlp_proto_export.ts";
import { type Limiter, readAttribute, readBody } from "./otlp_proto_values.ts";
import type { ProtoReader } from "./proto_reader.ts";

/** Decodes and normalizes a protobuf logs export request under `limits`. */
export function decodeLogRecords(
  bytes: Uint8Array,
  limits: IngestLimits = DEFAULT_INGEST_LIMITS,
): Normalized<LogRecord> {
  return decodeExport(
    bytes,
    (r, end, context, limiter) => logRecord(r, end, context.service, limiter),
    limits,
  );
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
