"""The OpenTelemetry SDK set up from the standard OTEL_* variables: OTLP/HTTP (protobuf) export to
OTEL_EXPORTER_OTLP_ENDPOINT, the resource from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES."""

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor


def start_tracing() -> TracerProvider:
    """Installs the global tracer provider; call shutdown() on it to flush before exit."""
    provider = TracerProvider(resource=Resource.create())
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider
