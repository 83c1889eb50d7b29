/** The consumer's message handler and settle hook: work, stats, metrics and a log line. */
import { Counter, Histogram, type Registry } from "prom-client";
import type { SettledMessage } from "../lib/amqp/consume.ts";
import type { ConsumedMessage } from "../lib/amqp/message.ts";
import type { Logger } from "../lib/log.ts";
import { LATENCY_BUCKETS } from "../lib/http/metrics.ts";
import type { ConsumerStats } from "./stats.ts";
import { messagePriority, type Work } from "./work.ts";

/** The two callbacks `AmqpConsumer` takes. */
export interface Worker {
  handler: (message: ConsumedMessage) => Promise<void>;
  onSettled: (settled: SettledMessage) => void;
}

/** Creates the worker and registers its metrics on `registry`. */
export function createWorker(options: {
  work: Work;
  stats: ConsumerStats;
  registry: Registry;
  logger: Logger;
}): Worker {
  const { work, stats, registry, logger } = options;
  const processed = new Counter({
    name: "messages_processed_total",
    help:
      "Deliveries settled, by priority and outcome: processed, retried, dead_lettered, requeued",
    labelNames: ["priority", "outcome"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "message_processing_duration_seconds",
    help: "Time from delivery to settlement, by priority and outcome",
    labelNames: ["priority", "outcome"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "message_queue_latency_seconds",
    help: "Time from publish to the start of processing, by priority",
    labelNames: ["priority"] as const,
    buckets: [...LATENCY_BUCKETS, 30, 60, 300],
    registers: [registry],
  });
  return {
    handler: async (message) => {
      if (message.publishedAtMs !== undefined) {
        const seconds = Math.max(0, (Date.now() - message.publishedAtMs) / 1000);
        latency.observe({ priority: messagePriority(message) }, seconds);
      }
      const priority = await work(message);
      logger.debug("Message processed", { message_id: message.messageId, priority });
    },
    onSettled: (settled) => {
      const labels = { priority: messagePriority(settled.message), outcome: settled.outcome };
      processed.inc(labels);
      duration.observe(labels, settled.durationMs / 1000);
      stats.record(settled);
      // The retry or dead-letter decision is logged inside the CONSUMER span (lib/amqp/settle.ts).
      if (settled.error !== undefined) {
        logger.debug("Message settled after a failure", {
          message_id: settled.message.messageId,
          outcome: settled.outcome,
          retry_count: settled.message.retryCount,
          reason: settled.error.message,
        });
      }
    },
  };
}
