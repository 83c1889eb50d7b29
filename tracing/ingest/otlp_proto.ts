/**
 * OTLP protobuf through protobufjs and code generated from the official opentelemetry-proto
 * definitions. The generated module is the one `@opentelemetry/otlp-transformer` shipped until
 * 0.214 (see `otlp-proto` in deno.json); later versions dropped it for a hand-written encoder.
 */
import root from "otlp-proto";
import { PayloadError } from "./otlp_normalize.ts";

/** The three OTLP signals. */
export type Signal = "traces" | "logs" | "metrics";

interface MessageType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
  fromObject(value: Record<string, unknown>): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}

interface Writer {
  uint32(value: number): Writer;
  int32(value: number): Writer;
  string(value: string): Writer;
  finish(): Uint8Array;
}

// deno-lint-ignore no-explicit-any -- the generated module has no types for the root object
const proto = (root as any).opentelemetry.proto;
const collector = proto.collector;
const requests: Record<Signal, MessageType> = {
  traces: collector.trace.v1.ExportTraceServiceRequest,
  logs: collector.logs.v1.ExportLogsServiceRequest,
  metrics: collector.metrics.v1.ExportMetricsServiceRequest,
};
const responses: Record<Signal, MessageType> = {
  traces: collector.trace.v1.ExportTraceServiceResponse,
  logs: collector.logs.v1.ExportLogsServiceResponse,
  metrics: collector.metrics.v1.ExportMetricsServiceResponse,
};
const rejectedField: Record<Signal, string> = {
  traces: "rejectedSpans",
  logs: "rejectedLogRecords",
  metrics: "rejectedDataPoints",
};

/**
 * Decodes a request. Traces and logs stay protobufjs messages (the normalizer reads them as they
 * are: converting to plain objects cost a fifth of protobuf ingest); metrics, only counted,
 * become OTLP's JSON object shape. Ingest reads protobuf traces with `otlp_proto_spans.ts`
 * instead; for traces this is that decoder's test oracle.
 */
export function decodeRequest(signal: Signal, bytes: Uint8Array): Record<string, unknown> {
  const type = requests[signal];
  try {
    const message = type.decode(bytes);
    if (signal !== "metrics") return message as Record<string, unknown>;
    return type.toObject(message, { longs: String, bytes: String, enums: Number });
  } catch (error) {
    throw new PayloadError(`Invalid protobuf body: ${(error as Error).message}`);
  }
}

/** Encodes an export response, with `partialSuccess` when something was rejected. */
export function encodeResponse(
  signal: Signal,
  partial: { rejected: number; message: string } | undefined,
): Uint8Array {
  const type = responses[signal];
  const value = partial === undefined ? {} : {
    partialSuccess: { [rejectedField[signal]]: partial.rejected, errorMessage: partial.message },
  };
  return type.encode(type.fromObject(value)).finish();
}

/** The JSON form of the same response. */
export function responseJson(
  signal: Signal,
  partial: { rejected: number; message: string } | undefined,
): Record<string, unknown> {
  if (partial === undefined) return {};
  return {
    partialSuccess: {
      [rejectedField[signal]]: String(partial.rejected),
      errorMessage: partial.message,
    },
  };
}

/**
 * Encodes a `google.rpc.Status` (field 1 `code`, field 2 `message`), the body OTLP/HTTP asks for
 * on errors; the generated module does not include that message, so protobufjs's writer does it.
 */
export function encodeStatus(code: number, message: string): Uint8Array {
  // Encoding an empty message yields a fresh protobufjs writer to append the two fields to.
  const writer = proto.common.v1.AnyValue.encode({}) as Writer;
  return writer.uint32(8).int32(code).uint32(18).string(message).finish();
}
