"""A Python peer of the demo's producer and consumer: pika for RabbitMQ, the OpenTelemetry SDK
for spans, W3C trace context in the AMQP headers as lib/amqp/publish.ts puts it there."""
