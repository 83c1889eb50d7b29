"""What the demo's messages look like on the wire, and the messaging semantic-convention
attributes its spans carry (lib/amqp/message.ts, producer/message.ts)."""

import json
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import urlparse

# Publish time in epoch milliseconds, as lib/amqp/message.ts's PUBLISHED_AT_HEADER.
PUBLISHED_AT_HEADER = "x-published-at"
# The AMQP priority of each level (producer/message.ts's AMQP_PRIORITY).
AMQP_PRIORITY = {"high": 9, "normal": 5, "low": 1}


def new_message(content: str, priority: str) -> dict:
    """A message body of the producer/consumer contract."""
    return {
        "id": str(uuid.uuid4()),
        "content": content,
        "priority": priority,
        "created_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
    }


def encode(message: dict) -> bytes:
    return json.dumps(message).encode("utf-8")


def now_ms() -> int:
    return int(time.time() * 1000)


def broker_attributes(url: str) -> dict:
    """server.address and server.port of the broker."""
    parsed = urlparse(url)
    port = parsed.port or (5671 if parsed.scheme == "amqps" else 5672)
    return {"server.address": parsed.hostname or "", "server.port": port}


def messaging_attributes(operation: str, queue: str, message_id, body_size: int) -> dict:
    """The attributes of a `send <queue>` or `process <queue>` span on the default exchange."""
    attributes = {
        "messaging.system": "rabbitmq",
        "messaging.operation.type": operation,
        "messaging.operation.name": operation,
        "messaging.destination.name": queue,
        "messaging.rabbitmq.destination.routing_key": queue,
        "messaging.message.body.size": body_size,
    }
    if message_id:
        attributes["messaging.message.id"] = message_id
    return attributes
