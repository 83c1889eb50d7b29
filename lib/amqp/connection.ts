/**
 * One RabbitMQ connection per service that reconnects by itself with exponential backoff and
 * jitter (amqplib's recovery). Channels and topology are made by setup functions that run on
 * every (re)connect, so they come back with the connection. The URL's password is never logged.
 */
import { type ChannelModel, connect, type RecoveringChannelModel } from "amqplib";
import { redactUrl, redactUrlsIn } from "../config/redact_url.ts";
import type { Logger } from "../log.ts";

/** Runs on every new connection, e.g. to open a channel, declare topology and start consuming. */
export type ConnectionSetup = (model: ChannelModel) => Promise<void>;

/** Raised when an operation needs the broker and there is no connection right now. */
export class BrokerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BrokerUnavailableError";
  }
}

/** What `AmqpConnection` needs. */
export interface AmqpConnectionOptions {
  url: string;
  logger: Logger;
  /** Shown by `rabbitmqctl list_connections` as the connection name. */
  name: string;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
}

/** A self-healing connection; `open()` returns at once even when the broker is down. */
export class AmqpConnection {
  readonly #options: AmqpConnectionOptions;
  readonly #setups: ConnectionSetup[] = [];
  #model: RecoveringChannelModel | undefined;
  #current: ChannelModel | undefined;
  #connects = 0;
  #lastError: string | undefined;
  #closed = false;

  constructor(options: AmqpConnectionOptions) {
    this.#options = options;
  }

  /** Adds a setup run on every connection, in the order added; add them before `open()`. */
  onConnect(setup: ConnectionSetup): void {
    this.#setups.push(setup);
  }

  /** Whether a connection is up and every setup ran on it. */
  get connected(): boolean {
    return this.#current !== undefined;
  }

  /** How many times a connection was established (reconnects make it grow). */
  get connectCount(): number {
    return this.#connects;
  }

  /** A readiness check for `/ready`: `true`, or why not. */
  readiness(): true | string {
    if (this.#current !== undefined) return true;
    return `not connected to ${redactUrl(this.#options.url)}: ${this.#lastError ?? "connecting"}`;
  }

  /** Starts connecting in the background; failures are retried forever until `close()`. */
  async open(): Promise<void> {
    const { logger, url, name } = this.#options;
    const model = await connect(url, {
      clientProperties: { connection_name: name },
      recovery: {
        initialDelay: this.#options.reconnectInitialMs,
        maxDelay: this.#options.reconnectMaxMs,
        factor: 2,
        jitter: 0.2,
        waitForConnect: false,
        setup: async (connection: ChannelModel) => {
          // A setup error (e.g. a queue declared with other arguments) fails this attempt;
          // recovery closes the connection and tries again after the backoff.
          for (const setup of this.#setups) await setup(connection);
        },
      },
    });
    this.#model = model;
    model.on("connect", (connection: ChannelModel) => {
      this.#current = connection;
      this.#connects += 1;
      this.#lastError = undefined;
      logger.info("Connected to RabbitMQ", { url: redactUrl(url), connects: this.#connects });
    });
    model.on("disconnect", (error: Error) => {
      this.#current = undefined;
      this.#lastError = this.#censor(error.message);
      logger.warn("Lost the RabbitMQ connection", { reason: this.#lastError });
    });
    model.on("connect-failed", (error: Error) => {
      this.#lastError = this.#censor(error.message);
    });
    model.on("reconnect-scheduled", (info: { attempt: number; delay: number; error: Error }) => {
      logger.info("Reconnecting to RabbitMQ", {
        url: redactUrl(url),
        attempt: info.attempt,
        delay_ms: Math.round(info.delay),
        reason: this.#censor(info.error.message),
      });
    });
    model.on("error", (error: Error) => {
      logger.debug("RabbitMQ connection error", { reason: this.#censor(error.message) });
    });
    model.on("blocked", (reason: string) => logger.warn("RabbitMQ blocked publishing", { reason }));
    model.on("unblocked", () => logger.info("RabbitMQ unblocked publishing"));
    logger.info("Connecting to RabbitMQ", { url: redactUrl(url), connection_name: name });
  }

  /**
   * Drops `model` so that recovery builds a fresh connection with fresh channels; used when a
   * channel closed on its own (a channel error) while its connection stayed up.
   */
  restart(model: ChannelModel, reason: string): void {
    if (this.#closed || this.#current !== model) return;
    this.#options.logger.warn("Restarting the RabbitMQ connection", { reason });
    model.close().catch(() => {});
  }

  /** Closes the connection and stops reconnecting. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#current = undefined;
    await this.#model?.close();
  }

  #censor(message: string): string {
    const password = URL.canParse(this.#options.url) ? new URL(this.#options.url).password : "";
    return redactUrlsIn(password === "" ? message : message.replaceAll(password, "***"));
  }
}
