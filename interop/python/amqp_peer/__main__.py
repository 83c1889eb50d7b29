"""python -m amqp_peer publish|consume --url amqp://... --queue NAME: one message, one JSON line
on stdout with the ids the caller checks in the trace store; exit 1 with the reason otherwise."""

import argparse
import json
import sys

from .consume import consume_one
from .publish import publish
from .telemetry import start_tracing


def main() -> int:
    parser = argparse.ArgumentParser(prog="amqp_peer")
    parser.add_argument("command", choices=["publish", "consume"])
    parser.add_argument("--url", default="amqp://guest:guest@127.0.0.1:5672/%2F")
    parser.add_argument("--queue", required=True)
    parser.add_argument("--content", default="hello from Python")
    parser.add_argument("--priority", choices=["high", "normal", "low"], default="normal")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds to wait to consume")
    args = parser.parse_args()

    provider = start_tracing()
    try:
        if args.command == "publish":
            result = publish(args.url, args.queue, args.content, args.priority)
        else:
            result = consume_one(args.url, args.queue, args.timeout)
    except Exception as error:  # One clear line for the caller, not a traceback.
        print(f"amqp_peer {args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        # Flushes the spans before the caller looks for them.
        provider.shutdown()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
