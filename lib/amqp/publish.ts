/**
 * Publishing on a confirm channel: persistent messages, a PRODUCER span `send <queue>` whose
 * context travels in the message headers, and a promise that resolves only once the broker
 * confirmed the message.
 */
import { recordSpanError } from "../telemetry/span_error.ts";
import { context, ROOT_CONTEXT, SpanKind, type Tracer } from "@opentelemetry/api";
import type { ConfirmChannel, Options } from "amqplib";
import { Buffer } from "node:buffer";
import type { AmqpConnection } from "./connection.ts";
import { messagingAttributes, PUBLISHED_AT_HEADER, withoutContext } from "./message.ts";
import { declareTopology } from "./topology.ts";
import { injectContext } from "../telemetry/propagation.ts";
import { markSpan, takeHeldFaults } from "../faults/span_marks.ts";

/** Why a publish was not confirmed. */
export type PublishFailure = "unavailable" | "nacked" | "timeout";

/** Raised when the broker did not confirm a message; the message may or may not have arrived. */
export class PublishError extends Error {
  readonly reason: PublishFailure;

  constructor(reason: PublishFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PublishError";
    this.reason = reason;
  }
}

/** One message to publish. */
export interface PublishRequest {
  body: Uint8Array;
  messageId?: string;
  /** AMQP priority, 0 to `MAX_PRIORITY`. */
  priority?: number;
  /** Extra headers; trace-context headers in here are replaced by the current context's. */
  headers?: Readonly<Record<string, unknown>>;
  contentType?: string;
  /** The exchange; default `""`, the default exchange, which routes by queue name. */
  exchange?: string;
  /** The routing key; default the publisher's queue. */
  routingKey?: string;
  /** Start a new trace instead of continuing the active one (e.g. background load). */
  newTrace?: boolean;
}

/** A confirmed message. */
export interface Published {
  messageId: string | undefined;
  traceId: string;
  spanId: string;
}

/** What `AmqpPublisher` needs. */
export interface AmqpPublisherOptions {
  queue: string;
  tracer: Tracer;
  /** How long to wait for the broker's confirm. */
  timeoutMs: number;
  /** Attributes added to every span, e.g. `brokerAttributes(url)`. */
  attributes?: Record<string, string | number>;
}

/** Publishes through a confirm channel that is re-created on every reconnect. */
export class AmqpPublisher {
  readonly #options: AmqpPublisherOptions;
  #channel: ConfirmChannel | undefined;
  #drained: Promise<void> | undefined;

  constructor(connection: AmqpConnection, options: AmqpPublisherOptions) {
    this.#options = options;
    connection.onConnect(async (model) => {
      const channel = await model.createConfirmChannel();
      channel.on("error", () => {}); // Reported through `close`; the connection logs the cause.
      channel.on("close", () => {
        if (this.#channel !== channel) return;
        this.#channel = undefined;
        connection.restart(model, "the publish channel closed");
      });
      await declareTopology(channel, options.queue);
      this.#channel = channel;
    });
  }

  /** Whether a channel is open to publish on. */
  get ready(): boolean {
    return this.#channel !== undefined;
  }

  /** Publishes one persistent message and resolves once the broker confirmed it. */
  publish(request: PublishRequest): Promise<Published> {
    const exchange = request.exchange ?? "";
    const routingKey = request.routingKey ?? this.#options.queue;
    const destination = exchange === "" ? routingKey : exchange;
    // A fault's wait (producer/faults.ts) belongs inside the PRODUCER span; its failure too.
    const held = takeHeldFaults();
    return this.#options.tracer.startActiveSpan(
      `send ${destination}`,
      { kind: SpanKind.PRODUCER, ...(held === undefined ? {} : { startTime: held.startTime }) },
      request.newTrace === true ? ROOT_CONTEXT : context.active(),
      async (span) => {
        if (held !== undefined) markSpan(span, held.marks);
        // Attributes are built only for a span that records: at low ratios most do not.
        if (span.isRecording()) {
          span.setAttributes({
            ...this.#options.attributes,
            ...messagingAttributes({
              operation: "send",
              destination,
              routingKey,
              messageId: request.messageId,
              bodySize: request.body.byteLength,
            }),
          });
        }
        try {
          if (held?.failure !== undefined) throw held.failure;
          const headers = withoutContext(request.headers ?? {});
          headers[PUBLISHED_AT_HEADER] = Date.now();
          injectContext(headers);
          await this.#send(exchange, routingKey, Buffer.from(request.body), {
            persistent: true,
            messageId: request.messageId,
            priority: request.priority,
            contentType: request.contentType,
            timestamp: Math.floor(Date.now() / 1000),
            headers,
          });
          const { traceId, spanId } = span.spanContext();
          return { messageId: request.messageId, traceId, spanId };
        } catch (error) {
          const failure = error instanceof PublishError
            ? error
            : new PublishError("unavailable", `Publish failed: ${String(error)}`, { cause: error });
          throw recordSpanError(span, failure, failure.reason);
        } finally {
          span.end();
        }
      },
    );
  }

  async #send(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
  ): Promise<void> {
    if (this.#drained !== undefined) await this.#drained;
    const channel = this.#channel;
    if (channel === undefined) {
      throw new PublishError("unavailable", "Broker unavailable: not connected to RabbitMQ");
    }
    const { timeoutMs } = this.#options;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new PublishError("timeout", `No confirm from the broker within ${timeoutMs} ms`));
      }, timeoutMs);
      try {
        const accepted = channel.publish(exchange, routingKey, content, options, (error) => {
          clearTimeout(timer);
          if (error === null || error === undefined) resolve();
          else if (this.#channel !== channel) {
            reject(new PublishError("unavailable", "Broker unavailable: the channel closed"));
          } else reject(new PublishError("nacked", "The broker refused the message (nack)"));
        });
        if (!accepted) this.#waitForDrain(channel);
      } catch (error) {
        clearTimeout(timer);
        reject(
          new PublishError("unavailable", "Broker unavailable: the channel is closed", {
            cause: error,
          }),
        );
      }
    });
  }

  /** Holds later publishes until the channel's write buffer drained (or the channel closed). */
  #waitForDrain(channel: ConfirmChannel): void {
    if (this.#drained !== undefined) return;
    this.#drained = new Promise<void>((resolve) => {
      const done = () => {
        channel.off("drain", done);
        channel.off("close", done);
        this.#drained = undefined;
        resolve();
      };
      channel.on("drain", done);
      channel.on("close", done);
    });
  }
}
