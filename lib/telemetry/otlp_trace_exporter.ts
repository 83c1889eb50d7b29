/**
 * The OTLP/HTTP protobuf span exporters, both the official exporter's delegate (transport,
 * retries, headers, timeout, compression and the `OTEL_EXPORTER_OTLP_*` handling):
 * - `OtlpEncodedTraceExporter` sends requests already encoded as spans ended
 *   (`EncodingSpanProcessor`), the default;
 * - `OtlpProtobufTraceExporter` encodes batches of span objects, with our serializer or the
 *   official one (`OTLP_SERIALIZER=official`, the oracle).
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
import { type EncodedSpans, fastProtobufTraceSerializer } from "./otlp_protobuf_traces.ts";

/** The component type the official exporter reports in its self-observability metrics. */
const COMPONENT_TYPE = "otlp_http_span_exporter";

const PROTOBUF_HEADERS = { "Content-Type": "application/x-protobuf" };

/** Exports spans as OTLP/HTTP protobuf through the official delegate. */
export class OtlpProtobufTraceExporter extends OTLPExporterBase<ReadableSpan[]>
  implements SpanExporter {
  constructor(config: OTLPExporterNodeConfigBase, serializer: OtlpSerializerName = "fast") {
    super(createOtlpHttpExportDelegate(
      convertLegacyHttpOptions(config, "TRACES", "v1/traces", PROTOBUF_HEADERS),
      serializer === "fast" ? fastProtobufTraceSerializer() : ProtobufTraceSerializer,
      COMPONENT_TYPE,
      TraceExporterMetricsHelper,
      config.selfObsMeterProvider,
    ));
  }
}

/** Sends export requests that are already OTLP/protobuf bytes. */
export class OtlpEncodedTraceExporter extends OTLPExporterBase<EncodedSpans> {
  constructor(config: OTLPExporterNodeConfigBase) {
    super(createOtlpHttpExportDelegate(
      convertLegacyHttpOptions(config, "TRACES", "v1/traces", PROTOBUF_HEADERS),
      {
        serializeRequest: (batch: EncodedSpans) => batch.bytes,
        deserializeResponse: (data: Uint8Array) =>
          ProtobufTraceSerializer.deserializeResponse(data),
      },
      COMPONENT_TYPE,
      { name: "span", countItems: (batch: EncodedSpans) => batch.spans },
      config.selfObsMeterProvider,
    ));
  }
}
