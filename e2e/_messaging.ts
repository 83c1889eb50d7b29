/** Starts `producer` and `consumer` as real processes on a throwaway queue, for end-to-end tests. */
import { deleteQueues, uniqueQueueName } from "../lib/testing/amqp.ts";
import { type ServiceProcess, startServiceProcess } from "../lib/testing/service_process.ts";
import { waitFor } from "../lib/testing/wait.ts";
import { type SinkSpan, SpanKindNumber } from "../lib/testing/otlp_sink.ts";

/** The running services, their queue and the env they were started with. */
export interface Messaging {
  producer: ServiceProcess;
  consumer: ServiceProcess;
  queue: string;
  env: Record<string, string>;
  dataDir: string;
  /** Starts another consumer on the same queue; assign it to `consumer` so `stop()` stops it. */
  startConsumer(env?: Record<string, string>): Promise<ServiceProcess>;
  /** Stops both (SIGTERM), deletes the queues, returns the exit codes. */
  stop(): Promise<{ producer: number; consumer: number }>;
}

/** Starts producer and consumer with OTLP JSON export to `endpoint`, no simulated work. */
export async function startMessaging(
  endpoint: string,
  env: Record<string, string> = {},
): Promise<Messaging> {
  const queue = uniqueQueueName("e2e");
  const dataDir = await Deno.makeTempDir({ prefix: "e2e-messaging-" });
  const base = {
    QUEUE_NAME: queue,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "200",
    WORK_HIGH_MS: "0",
    WORK_NORMAL_MS: "0",
    WORK_LOW_MS: "0",
    ...env,
  };
  const startConsumer = async (extra: Record<string, string> = {}) =>
    await untilReady(
      await startServiceProcess({ service: "consumer", dataDir, env: { ...base, ...extra } }),
    );
  const producer = await startServiceProcess({ service: "producer", dataDir, env: base });
  let consumer: ServiceProcess;
  try {
    await untilReady(producer);
    consumer = await startConsumer();
  } catch (error) {
    await producer.stop();
    throw error;
  }
  const messaging: Messaging = {
    producer,
    consumer,
    queue,
    env: base,
    dataDir,
    startConsumer,
    stop: async () => {
      // The current processes: a test may have replaced the consumer.
      const codes = {
        producer: await messaging.producer.stop(),
        consumer: await messaging.consumer.stop(),
      };
      await deleteQueues(queue);
      await Deno.remove(dataDir, { recursive: true });
      return codes;
    },
  };
  return messaging;
}

/**
 * Waits for `service`'s /ready: a service logs "Listening" while its RabbitMQ connection is still
 * being made, and on a busy machine a request sent then got 503.
 */
export async function untilReady(service: ServiceProcess): Promise<ServiceProcess> {
  try {
    await waitFor(`${service.name} ready`, async () => {
      const response = await fetch(`${service.url}/ready`);
      await response.body?.cancel();
      return response.ok;
    }, { timeoutMs: 30_000 });
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}

/** Ids of the messages whose CONSUMER span says they were processed. */
export function processedIds(spans: readonly SinkSpan[]): Set<string> {
  return new Set(
    spans.filter((span) =>
      span.kind === SpanKindNumber.CONSUMER &&
      span.attributes["messaging.rabbitmq.outcome"] === "processed"
    ).map((span) => String(span.attributes["messaging.message.id"])),
  );
}

/** How often a service has logged a (re)connection to RabbitMQ. */
export function brokerConnects(service: ServiceProcess): number {
  return service.logs.filter((log) => log.msg === "Connected to RabbitMQ").length;
}
