/**
 * The OTLP/HTTP protobuf span exporter: the official exporter's delegate (transport, retries,
 * headers, timeout, compression and the `OTEL_EXPORTER_OTLP_*` handling) with a serializer
 * chosen by `OTLP_SERIALIZER`: ours (`fast`, the default) or the official one (`official`).
 */
import { OTLPExporterBase } from "@opentelemetry/otlp-exporter-base";
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
  type OTLPExporterNodeConfigBase,
} from "@opentelemetry/otlp-exporter-base/node-http";
import {
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
} from "@opentelemetry/otlp-transformer";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import type { OtlpSerializerName } from "./config.ts";
import { fastProtobufTraceSerializer } from "./otlp_protobuf_traces.ts";

/** The component type the official exporter reports in its self-observability metrics. */
const COMPONENT_TYPE = "otlp_http_span_exporter";

/** Exports spans as OTLP/HTTP protobuf through the official delegate. */
export class OtlpProtobufTraceExporter extends OTLPExporterBase<ReadableSpan[]>
  implements SpanExporter {
  constructor(config: OTLPExporterNodeConfigBase, serializer: OtlpSerializerName = "fast") {
    super(createOtlpHttpExportDelegate(
      convertLegacyHttpOptions(config, "TRACES", "v1/traces", {
        "Content-Type": "application/x-protobuf",
      }),
      serializer === "fast" ? fastProtobufTraceSerializer() : ProtobufTraceSerializer,
      COMPONENT_TYPE,
      TraceExporterMetricsHelper,
      config.selfObsMeterProvider,
    ));
  }
}
