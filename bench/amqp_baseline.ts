/**
 * The messaging baseline: plain amqplib, no tracing, the same load as the producer's
 * `/simulate-load` (a steady rate, persistent messages on a confirm channel, at most 2000 waiting
 * for a confirm) and a consumer with the same prefetch that decodes and acknowledges each message.
 * The queue is declared exactly as the services declare theirs.
 *
 * Run as a process with one JSON argument:
 * - `{"role":"consume",url,queue,prefetch}` prints `ready`, then, once it read `expect <n>` on
 *   stdin and processed n messages (or after 120 s), one JSON `ConsumeReport` line.
 * - `{"role":"publish",url,queue,rate,seconds}` prints one JSON `PublishReport` line when done.
 */
import amqp from "amqplib";
import { Buffer } from "node:buffer";
import { PUBLISHED_AT_HEADER } from "../lib/amqp/message.ts";
import { declareTopology, deleteTopology } from "../lib/amqp/topology.ts";
import { LATENCY_BUCKETS } from "../lib/http/metrics.ts";
import {
  AMQP_PRIORITY,
  createMessage,
  encodeMessage,
  MESSAGE_CONTENT_TYPE,
} from "../producer/message.ts";
import type { CumulativeBuckets } from "./stats.ts";

/** The same latency buckets as the consumer's `message_queue_latency_seconds`. */
export const QUEUE_LATENCY_BUCKETS = [...LATENCY_BUCKETS, 30, 60, 300, Number.POSITIVE_INFINITY];

/** What the publisher reports. */
export interface PublishReport {
  startedAtMs: number;
  sent: number;
  failed: number;
}

/** What the consumer reports; latency buckets in seconds, cumulative. */
export interface ConsumeReport {
  processed: number;
  lastAtMs: number;
  latency: CumulativeBuckets;
}

const TICK_MS = 20;
const MAX_IN_FLIGHT = 2000;

async function publish(url: string, queue: string, rate: number, seconds: number) {
  const connection = await amqp.connect(url);
  const channel = await connection.createConfirmChannel();
  await declareTopology(channel, queue);
  const report: PublishReport = { startedAtMs: Date.now(), sent: 0, failed: 0 };
  const started = performance.now();
  let issued = 0;
  let inFlight = 0;
  let drained: Promise<void> | undefined;
  const total = Math.floor(rate * seconds);
  while (issued < total || inFlight > 0) {
    const elapsed = Math.min((performance.now() - started) / 1000, seconds);
    const due = Math.min(total, Math.floor(elapsed * rate));
    while (issued < due && inFlight < MAX_IN_FLIGHT) {
      if (drained !== undefined) await drained;
      const message = createMessage("simulated load", "normal");
      issued++;
      inFlight++;
      const accepted = channel.publish("", queue, Buffer.from(encodeMessage(message)), {
        persistent: true,
        messageId: message.id,
        priority: AMQP_PRIORITY.normal,
        contentType: MESSAGE_CONTENT_TYPE,
        timestamp: Math.floor(Date.now() / 1000),
        headers: { [PUBLISHED_AT_HEADER]: Date.now() },
      }, (error) => {
        inFlight--;
        if (error === null || error === undefined) report.sent++;
        else report.failed++;
      });
      if (!accepted && drained === undefined) {
        drained = new Promise((resolve) => channel.once("drain", resolve))
          .then(() => void (drained = undefined));
      }
    }
    await new Promise((resolve) => setTimeout(resolve, TICK_MS));
  }
  await channel.close();
  await connection.close();
  return report;
}

async function consume(url: string, queue: string, prefetch: number) {
  const connection = await amqp.connect(url);
  const channel = await connection.createChannel();
  await declareTopology(channel, queue);
  await channel.prefetch(prefetch);
  const counts = QUEUE_LATENCY_BUCKETS.map(() => 0);
  let processed = 0;
  let lastAtMs = 0;
  let expected = Number.POSITIVE_INFINITY;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => finish = resolve);
  await channel.consume(queue, (delivery) => {
    if (delivery === null) return;
    JSON.parse(delivery.content.toString("utf8"));
    const publishedAt = Number(delivery.properties.headers?.[PUBLISHED_AT_HEADER]);
    const seconds = Math.max(0, (Date.now() - publishedAt) / 1000);
    const bucket = QUEUE_LATENCY_BUCKETS.findIndex((le) => seconds <= le);
    counts[bucket] = counts[bucket]! + 1;
    channel.ack(delivery);
    processed++;
    lastAtMs = Date.now();
    if (processed >= expected) finish();
  }, { noAck: false });
  await Deno.stdout.write(new TextEncoder().encode("ready\n"));
  void (async () => {
    for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
      const n = /expect (\d+)/.exec(chunk)?.[1];
      if (n === undefined) continue;
      expected = Number(n);
      if (processed >= expected) finish();
    }
  })();
  const timer = setTimeout(finish, 120_000);
  await finished;
  clearTimeout(timer);
  await channel.close();
  await connection.close();
  let cumulative = 0;
  const report: ConsumeReport = {
    processed,
    lastAtMs,
    latency: {
      le: QUEUE_LATENCY_BUCKETS,
      counts: counts.map((count) => cumulative += count),
    },
  };
  return report;
}

/** Deletes the work queues (and their dead-letter parts) the benchmark made. */
export async function deleteQueues(url: string, queues: readonly string[]): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    for (const queue of queues) {
      const channel = await connection.createChannel();
      await deleteTopology(channel, queue).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close();
  }
}

if (import.meta.main) {
  const spec = JSON.parse(Deno.args[0] ?? "{}");
  const report = spec.role === "publish"
    ? await publish(spec.url, spec.queue, spec.rate, spec.seconds)
    : await consume(spec.url, spec.queue, spec.prefetch);
  // Infinity is not JSON; the last bucket is +Inf by definition.
  const text = JSON.stringify(report, (_k, v) => v === Number.POSITIVE_INFINITY ? "+Inf" : v);
  await Deno.stdout.write(new TextEncoder().encode(`${text}\n`));
  Deno.exit(0);
}
