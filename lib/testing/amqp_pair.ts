/** An in-process publisher and consumer on one throwaway queue, with in-memory spans. */
import type { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import type { TraceContextMode } from "../amqp/config.ts";
import { AmqpConnection } from "../amqp/connection.ts";
import { AmqpConsumer, type SettledMessage } from "../amqp/consume.ts";
import type { ConsumedMessage } from "../amqp/message.ts";
import { AmqpPublisher } from "../amqp/publish.ts";
import { createLogger } from "../log.ts";
import type { Telemetry } from "../telemetry/setup.ts";
import { connectOrFail, deleteQueues, TEST_RABBITMQ_URL } from "./amqp.ts";
import { waitFor } from "./wait.ts";
import { createTestTelemetry } from "./telemetry.ts";

/** Options of `startPair`. */
export interface PairOptions {
  handler?: (message: ConsumedMessage) => Promise<void>;
  maxRetries?: number;
  prefetch?: number;
  traceContext?: TraceContextMode;
  /** Start without a consumer, e.g. to build a backlog first. */
  consume?: boolean;
}

/** A running pair; `close()` stops both, deletes the queues and shuts telemetry down. */
export interface Pair {
  connection: AmqpConnection;
  publisher: AmqpPublisher;
  consumer: AmqpConsumer | undefined;
  settled: SettledMessage[];
  telemetry: Telemetry;
  exporter: InMemorySpanExporter;
  close(): Promise<void>;
}

/** Starts a connection with a publisher and (unless `consume: false`) a consumer on `queue`. */
export async function startPair(queue: string, options: PairOptions = {}): Promise<Pair> {
  await (await connectOrFail()).close();
  const { telemetry, exporter } = createTestTelemetry();
  const logger = createLogger({ service: "test", level: "error", write: () => {} });
  const connection = new AmqpConnection({
    url: TEST_RABBITMQ_URL,
    logger,
    name: `test ${queue}`,
    reconnectInitialMs: 50,
    reconnectMaxMs: 500,
  });
  const publisher = new AmqpPublisher(connection, {
    queue,
    tracer: telemetry.tracer,
    timeoutMs: 5000,
  });
  const settled: SettledMessage[] = [];
  const consumer = options.consume === false ? undefined : new AmqpConsumer(connection, publisher, {
    queue,
    prefetch: options.prefetch ?? 10,
    maxRetries: options.maxRetries ?? 1,
    tracer: telemetry.tracer,
    logger,
    traceContext: options.traceContext ?? "parent",
    handler: options.handler ?? (() => Promise.resolve()),
    onSettled: (message) => settled.push(message),
  });
  await connection.open();
  await waitFor("the AMQP connection", () => connection.connected);
  return {
    connection,
    publisher,
    consumer,
    settled,
    telemetry,
    exporter,
    close: async () => {
      await consumer?.stop(2000);
      await connection.close();
      await deleteQueues(queue);
      await telemetry.shutdown();
    },
  };
}
