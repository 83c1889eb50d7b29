/**
 * Folder-private: the response shapes Jaeger UI (2.20) reads, as zod schemas transcribed from its
 * sources (`src/api/v3/schemas.ts` and the generated api_v3 client; `src/types/metrics.ts`;
 * `src/api/jaeger.ts` for the error envelope) and from jaeger-idl's `api_v3/query_service.proto`.
 * Tests parse our answers with them, so a shape drift fails a test as it would fail the UI.
 */
import { z } from "zod";

const decimalNanos = z.string().regex(/^\d+$/);
const count = z.number().int().min(0);

/** api_v3 `TraceSummary` in proto3 JSON, as the UI validates it. */
export const TraceSummarySchema = z.strictObject({
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  rootServiceName: z.string(),
  rootOperationName: z.string(),
  minStartTimeUnixNano: decimalNanos,
  maxEndTimeUnixNano: decimalNanos,
  spanCount: count,
  errorSpanCount: count,
  orphanSpanCount: count,
  services: z.array(z.strictObject({ name: z.string(), spanCount: count, errorSpanCount: count })),
});

/** api_v3 `FindTraceSummariesResponse`. */
export const TraceSummariesResponseSchema = z.strictObject({
  summaries: z.array(TraceSummarySchema),
});

/** The v3 gateway's error body (`GRPCGatewayError`). */
export const V3ErrorSchema = z.strictObject({
  error: z.strictObject({ httpCode: z.number().int(), message: z.string() }),
});

/** jaeger-query's `/api/...` error envelope. */
export const JaegerErrorSchema = z.strictObject({
  data: z.null(),
  total: z.literal(0),
  limit: z.literal(0),
  offset: z.literal(0),
  errors: z.array(z.strictObject({ code: z.number().int(), msg: z.string() })).min(1),
});

/** A `MetricFamily` of `/api/metrics/*` (openmetrics proto in proto3 JSON). */
export const MetricFamilySchema = z.strictObject({
  name: z.enum([
    "service_latencies",
    "service_call_rate",
    "service_error_rate",
    "service_operation_latencies",
    "service_operation_call_rate",
    "service_operation_error_rate",
  ]),
  type: z.literal("GAUGE"),
  help: z.string(),
  metrics: z.array(z.strictObject({
    labels: z.array(z.strictObject({ name: z.string(), value: z.string() })).min(1),
    metricPoints: z.array(z.strictObject({
      // proto3 JSON writes a NaN double as the string "NaN".
      gaugeValue: z.strictObject({ doubleValue: z.union([z.number(), z.literal("NaN")]) }),
      timestamp: z.iso.datetime(),
    })),
  })),
});

const tag = z.strictObject({
  key: z.string(),
  type: z.enum(["string", "bool", "int64", "float64", "binary"]),
  value: z.union([z.string(), z.number(), z.boolean()]),
});

/** A trace in Jaeger's UI model (`/api/traces`, `/api/transform`). */
export const JaegerTraceSchema = z.strictObject({
  traceID: z.string().regex(/^[0-9a-f]{32}$/),
  spans: z.array(z.strictObject({
    traceID: z.string(),
    spanID: z.string().regex(/^[0-9a-f]{16}$/),
    operationName: z.string(),
    references: z.array(z.strictObject({
      refType: z.enum(["CHILD_OF", "FOLLOWS_FROM"]),
      traceID: z.string(),
      spanID: z.string(),
    })),
    startTime: z.number().int(),
    duration: z.number().int().min(0),
    tags: z.array(tag),
    logs: z.array(z.strictObject({ timestamp: z.number().int(), fields: z.array(tag) })),
    processID: z.string(),
    warnings: z.array(z.string()).nullable(),
    // Jaeger v2 never writes it (its OTLP translation keeps no trace flags); the UI has it optional.
    flags: z.number().int().optional(),
  })),
  processes: z.record(z.string(), z.strictObject({ serviceName: z.string(), tags: z.array(tag) })),
  warnings: z.array(z.string()).nullable(),
});
