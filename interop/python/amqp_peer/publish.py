"""Publishes one message to a queue through the default exchange inside a PRODUCER span
`send <queue>`, with that span's context in the message headers, and waits for the confirm."""

import pika
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from .messaging import (
    AMQP_PRIORITY,
    PUBLISHED_AT_HEADER,
    broker_attributes,
    encode,
    messaging_attributes,
    new_message,
    now_ms,
)


def publish(url: str, queue: str, content: str, priority: str) -> dict:
    """Returns the ids of the message and of the PRODUCER span."""
    message = new_message(content, priority)
    body = encode(message)
    tracer = trace.get_tracer("amqp_peer")
    attributes = {
        **broker_attributes(url),
        **messaging_attributes("send", queue, message["id"], len(body)),
    }
    with tracer.start_as_current_span(
        f"send {queue}", kind=SpanKind.PRODUCER, attributes=attributes
    ) as span:
        headers = {PUBLISHED_AT_HEADER: now_ms()}
        # traceparent (and tracestate, baggage when set) of the PRODUCER span.
        propagate.inject(headers)
        connection = pika.BlockingConnection(pika.URLParameters(url))
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            # The queue is the consumer's: declared by it with its arguments, so only used here.
            # mandatory: an unroutable message raises instead of vanishing.
            channel.basic_publish(
                exchange="",
                routing_key=queue,
                body=body,
                properties=pika.BasicProperties(
                    message_id=message["id"],
                    content_type="application/json",
                    delivery_mode=pika.DeliveryMode.Persistent,
                    priority=AMQP_PRIORITY[priority],
                    timestamp=now_ms() // 1000,
                    headers=headers,
                ),
                mandatory=True,
            )
        except Exception as error:
            span.set_status(Status(StatusCode.ERROR, str(error)))
            raise
        finally:
            connection.close()
        context = span.get_span_context()
        return {
            "trace_id": format(context.trace_id, "032x"),
            "span_id": format(context.span_id, "016x"),
            "message_id": message["id"],
        }
