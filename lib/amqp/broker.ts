/**
 * A messaging service's side of RabbitMQ, wired once: one connection (reconnecting), a publisher
 * on the work queue with the broker's span attributes, optionally a consumer of that queue, and
 * the readiness check `/ready` reports.
 */
import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "../log.ts";
import type { AmqpConfig } from "./config.ts";
import { AmqpConnection } from "./connection.ts";
import { AmqpConsumer, type AmqpConsumerOptions } from "./consume.ts";
import { brokerAttributes } from "./message.ts";
import { AmqpPublisher } from "./publish.ts";

/** What a consumer adds to the broker's own settings. */
export type ConsumeOptions = Pick<
  AmqpConsumerOptions,
  "prefetch" | "maxRetries" | "handler" | "onSettled"
>;

/** The connection, publisher and (once `consume` was called) consumer of one service. */
export class Broker {
  readonly connection: AmqpConnection;
  readonly publisher: AmqpPublisher;
  #consumer: AmqpConsumer | undefined;
  readonly #config: AmqpConfig;
  readonly #tracer: Tracer;
  readonly #logger: Logger;
  readonly #attributes: Record<string, string | number>;

  /**
   * The broker side of `service` (its name labels the connection in RabbitMQ); connects nothing
   * yet: add a consumer with `consume`, then `open`.
   */
  constructor(
    { service, amqp: config }: { service: string; amqp: AmqpConfig },
    options: { tracer: Tracer; logger: Logger },
  ) {
    this.#config = config;
    this.#tracer = options.tracer;
    this.#logger = options.logger;
    this.#attributes = brokerAttributes(config.url);
    this.connection = new AmqpConnection({
      ...config,
      logger: options.logger,
      name: `${service} pid ${Deno.pid}`,
    });
    this.publisher = new AmqpPublisher(this.connection, {
      queue: config.queue,
      tracer: options.tracer,
      timeoutMs: config.publishTimeoutMs,
      attributes: this.#attributes,
    });
  }

  /** Consumes the work queue with `options.handler`; call before `open`. */
  consume(options: ConsumeOptions): AmqpConsumer {
    this.#consumer ??= new AmqpConsumer(this.connection, this.publisher, {
      ...options,
      queue: this.#config.queue,
      traceContext: this.#config.traceContext,
      tracer: this.#tracer,
      logger: this.#logger,
      attributes: this.#attributes,
    });
    return this.#consumer;
  }

  /** Starts connecting; the connection keeps retrying in the background if the broker is down. */
  open(): Promise<void> {
    return this.connection.open();
  }

  /** `true` when connected and able to publish (and consuming, for a consumer), else why not. */
  readiness(): true | string {
    if (!this.connection.connected) return this.connection.readiness();
    if (this.#consumer !== undefined) return this.#consumer.readiness();
    return this.publisher.ready || this.connection.readiness();
  }

  /** Stops taking messages; in-flight ones get `graceMs`, then go back to the queue. */
  async stopConsuming(graceMs: number): Promise<void> {
    await this.#consumer?.stop(graceMs);
  }

  /** Closes the connection. */
  close(): Promise<void> {
    return this.connection.close();
  }
}
