/**
 * Consuming with manual acknowledgement: a CONSUMER span `process <queue>` per delivery that
 * continues the context found in the message headers (as parent, or as a link), the handler run
 * inside it, and a failed message retried through a republish carrying `x-retry-count`, then
 * dead-lettered with the reason in its headers. A message is acknowledged only after its outcome
 * is safe: processed, or its retry/dead-letter copy confirmed by the broker.
 */
import { recordSpanError } from "../telemetry/span_error.ts";
import {
  context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import type { Channel, ConsumeMessage } from "amqplib";
import type { TraceContextMode } from "./config.ts";
import type { AmqpConnection } from "./connection.ts";
import {
  type ConsumedMessage,
  FAILURE_REASON_HEADER,
  headerNumber,
  messagingAttributes,
  toConsumedMessage,
} from "./message.ts";
import type { AmqpPublisher } from "./publish.ts";
import { declareTopology } from "./topology.ts";
import { acknowledge, failMessage, requeue, type Settlement } from "./settle.ts";
import type { Logger } from "../log.ts";
import { extractContext } from "../telemetry/propagation.ts";

/** Thrown by a handler for a message that can never succeed; it is dead-lettered at once. */
export class PermanentMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentMessageError";
  }
}

/** What became of a delivery. */
export type MessageOutcome = "processed" | "retried" | "dead_lettered" | "requeued";

/** Reported once per delivery after it was settled. */
export interface SettledMessage {
  message: ConsumedMessage;
  outcome: MessageOutcome;
  durationMs: number;
  error?: Error;
}

/** What `AmqpConsumer` needs. */
export interface AmqpConsumerOptions {
  queue: string;
  /** How many unacknowledged messages the broker hands out at once; they run concurrently. */
  prefetch: number;
  /** Retries after a failure before the message is dead-lettered. */
  maxRetries: number;
  tracer: Tracer;
  logger: Logger;
  /** `parent`: the CONSUMER span is the producer span's child; `link`: a new trace linking it. */
  traceContext: TraceContextMode;
  /** Processes one message; throwing fails it. Runs inside the CONSUMER span's context. */
  handler: (message: ConsumedMessage) => Promise<void>;
  /** Called after each delivery was settled, for stats and metrics. */
  onSettled?: (settled: SettledMessage) => void;
  /** Attributes added to every span, e.g. `brokerAttributes(url)`. */
  attributes?: Record<string, string | number>;
}

/** A delivery being processed. */
interface Delivery extends Settlement {
  span: Span;
}

/** Consumes one queue on a channel that is re-created, with its consumer, on every reconnect. */
export class AmqpConsumer {
  readonly #options: AmqpConsumerOptions;
  readonly #publisher: AmqpPublisher;
  readonly #inFlight = new Set<Delivery>();
  #idleWaiters: (() => void)[] = [];
  #channel: Channel | undefined;
  #consumerTag: string | undefined;
  #stopping = false;

  constructor(connection: AmqpConnection, publisher: AmqpPublisher, options: AmqpConsumerOptions) {
    this.#options = options;
    this.#publisher = publisher;
    connection.onConnect(async (model) => {
      if (this.#stopping) return;
      const channel = await model.createChannel();
      channel.on("error", () => {});
      channel.on("close", () => {
        if (this.#channel !== channel) return;
        this.#channel = undefined;
        this.#consumerTag = undefined;
        if (!this.#stopping) connection.restart(model, "the consume channel closed");
      });
      await declareTopology(channel, options.queue);
      await channel.prefetch(options.prefetch);
      const { consumerTag } = await channel.consume(options.queue, (delivery) => {
        // A null delivery means the broker cancelled the consumer (e.g. the queue was deleted).
        if (delivery === null) connection.restart(model, "the broker cancelled the consumer");
        else void this.#process(channel, delivery);
      }, { noAck: false });
      this.#channel = channel;
      this.#consumerTag = consumerTag;
    });
  }

  /** Whether the consumer is subscribed and taking messages. */
  get consuming(): boolean {
    return this.#consumerTag !== undefined && !this.#stopping;
  }

  /** Messages received and not yet settled. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** A readiness check for `/ready`. */
  readiness(): true | string {
    if (this.#stopping) return "stopping";
    return this.consuming ? true : `not consuming from "${this.#options.queue}"`;
  }

  /**
   * Stops taking messages, waits up to `timeoutMs` for the in-flight ones, returns the rest to
   * the queue (nack with requeue) and closes the channel.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    const channel = this.#channel;
    const tag = this.#consumerTag;
    if (channel !== undefined && tag !== undefined) await channel.cancel(tag).catch(() => {});
    await this.#whenIdle(timeoutMs);
    for (const delivery of this.#inFlight) {
      delivery.span.addEvent("message.requeued", {
        "messaging.rabbitmq.failure_reason": "consumer stopping",
      });
      requeue(delivery, this.#options.logger);
    }
    this.#channel = undefined;
    this.#consumerTag = undefined;
    await channel?.close().catch(() => {});
  }

  async #process(channel: Channel, raw: ConsumeMessage): Promise<void> {
    const { tracer, queue, logger } = this.#options;
    const message = toConsumedMessage(raw);
    const remote = extractContext(message.headers, ROOT_CONTEXT);
    const remoteSpan = trace.getSpanContext(remote);
    const link = this.#options.traceContext === "link" && remoteSpan !== undefined &&
      trace.isSpanContextValid(remoteSpan);
    // Baggage stays in either case; only the parent span is dropped for a link.
    const parent = link ? trace.deleteSpan(remote) : remote;
    const links: Link[] = link && remoteSpan !== undefined ? [{ context: remoteSpan }] : [];
    const span = tracer.startSpan(`process ${queue}`, { kind: SpanKind.CONSUMER, links }, parent);
    // Attributes are built only for a span that records: at low sampling ratios most do not.
    if (span.isRecording()) {
      span.setAttributes({
        ...this.#options.attributes,
        ...messagingAttributes({
          operation: "process",
          destination: queue,
          routingKey: message.routingKey,
          messageId: message.messageId,
          bodySize: message.body.byteLength,
        }),
        "messaging.rabbitmq.message.delivery_tag": message.deliveryTag,
        "messaging.rabbitmq.message.retry_count": message.retryCount,
      });
    }
    const delivery: Delivery = { channel, raw, message, span, settled: false };
    addArrivalEvents(span, message);
    const started = performance.now();
    this.#inFlight.add(delivery);
    const active = trace.setSpan(parent, span);
    let outcome: MessageOutcome = "requeued";
    let failure: Error | undefined;
    try {
      if (this.#stopping) return;
      await context.with(active, () => this.#options.handler(message));
      acknowledge(delivery, logger);
      outcome = "processed";
    } catch (error) {
      failure = recordSpanError(span, error);
      outcome = await context.with(active, () =>
        failMessage(delivery, failure as Error, {
          publisher: this.#publisher,
          queue,
          maxRetries: this.#options.maxRetries,
          permanent: failure instanceof PermanentMessageError,
          logger,
        }));
    } finally {
      if (outcome === "requeued") requeue(delivery, logger);
      span.setAttribute("messaging.rabbitmq.outcome", outcome);
      span.end();
      this.#inFlight.delete(delivery);
      if (this.#inFlight.size === 0) this.#notifyIdle();
      this.#report({ message, outcome, durationMs: performance.now() - started, error: failure });
    }
  }

  #report(settled: SettledMessage): void {
    try {
      this.#options.onSettled?.(settled);
    } catch (error) {
      this.#options.logger.debug("onSettled hook failed", { error });
    }
  }

  #whenIdle(timeoutMs: number): Promise<void> {
    if (this.#inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, timeoutMs);
      function finish() {
        clearTimeout(timer);
        resolve();
      }
      this.#idleWaiters.push(finish);
    });
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}

function addArrivalEvents(span: Span, message: ConsumedMessage): void {
  if (message.redelivered) {
    // Classic queues do not count redeliveries; quorum queues send `x-delivery-count`.
    const count = headerNumber(message.headers["x-delivery-count"]);
    span.addEvent("message.redelivered", {
      ...(count === undefined ? {} : { "messaging.rabbitmq.delivery_count": count + 1 }),
      "messaging.rabbitmq.retry_count": message.retryCount,
      "messaging.rabbitmq.failure_reason": "not acknowledged by an earlier delivery",
    });
  }
  if (message.retryCount > 0) {
    const reason = message.headers[FAILURE_REASON_HEADER];
    span.addEvent("message.retry", {
      "messaging.rabbitmq.retry_count": message.retryCount,
      "messaging.rabbitmq.delivery_count": message.retryCount + 1,
      "messaging.rabbitmq.failure_reason": typeof reason === "string" ? reason : "unknown",
    });
  }
}
