"""Consumes one message from a queue in a CONSUMER span `process <queue>` that continues the
context in its headers, as lib/amqp/consume.ts does, and acknowledges it."""

import json

import pika
from opentelemetry import baggage, propagate, trace
from opentelemetry.trace import SpanKind

from .messaging import broker_attributes, messaging_attributes


def header_text(headers: dict) -> dict:
    """Header values as text: pika hands AMQP byte strings over as bytes."""
    text = {}
    for name, value in (headers or {}).items():
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        if isinstance(value, str):
            text[name.lower()] = value
    return text


def consume_one(url: str, queue: str, timeout_s: float) -> dict:
    """Returns the message and the ids of the CONSUMER span and its parent."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        channel.basic_qos(prefetch_count=1)
        for method, properties, body in channel.consume(queue, inactivity_timeout=timeout_s):
            if method is None:
                raise TimeoutError(f'No message on queue "{queue}" within {timeout_s} s')
            result = process(url, queue, method, properties, body)
            channel.basic_ack(method.delivery_tag)
            channel.cancel()
            return result
    finally:
        connection.close()
    raise RuntimeError(f'The consumer of "{queue}" was cancelled')


def process(url, queue, method, properties, body) -> dict:
    parent = propagate.extract(header_text(properties.headers))
    attributes = {
        **broker_attributes(url),
        **messaging_attributes("process", queue, properties.message_id, len(body)),
        "messaging.rabbitmq.message.delivery_tag": method.delivery_tag,
    }
    tracer = trace.get_tracer("amqp_peer")
    with tracer.start_as_current_span(
        f"process {queue}", context=parent, kind=SpanKind.CONSUMER, attributes=attributes
    ) as span:
        message = json.loads(body)
        context = span.get_span_context()
        parent_span = trace.get_current_span(parent).get_span_context()
        return {
            "trace_id": format(context.trace_id, "032x"),
            "span_id": format(context.span_id, "016x"),
            "parent_span_id": format(parent_span.span_id, "016x") if parent_span.is_valid else "",
            # What else W3C propagation carried: the vendors' tracestate and the baggage.
            "tracestate": context.trace_state.to_header(),
            "baggage": dict(baggage.get_all(parent)),
            "message_id": properties.message_id,
            "message": message,
        }
