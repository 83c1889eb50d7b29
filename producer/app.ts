/** The producer's routes: send one or many messages, and run simulated load. */
import type { Hono } from "hono";
import { z } from "zod";
import { PublishError } from "../lib/amqp/publish.ts";
import { readJson } from "../lib/http/body.ts";
import { HttpError } from "../lib/http/errors.ts";
import type { ReadinessCheck } from "../lib/http/health.ts";
import type { Logger } from "../lib/log.ts";
import { createServiceApp } from "../lib/http/service_app.ts";
import { FaultRegistry } from "../lib/faults/registry.ts";
import type { Telemetry } from "../lib/telemetry/setup.ts";
import { PRODUCER_FAULTS, withPublishFaults } from "./faults.ts";
import { LoadConflictError, type LoadRuns } from "./load.ts";
import { PRIORITIES } from "./message.ts";
import { createSender, type MessagePublisher } from "./sender.ts";

/** What the producer app needs. */
export interface ProducerAppDeps {
  publisher: MessagePublisher;
  loads: LoadRuns;
  queue: string;
  logger: Logger;
  telemetry: Telemetry;
  maxBodyBytes: number;
  readiness?: Readonly<Record<string, ReadinessCheck>>;
  /** Its faults (FAULTS switches them at start); all off when omitted. */
  faults?: FaultRegistry;
  /** FAULTS_TOKEN: when set, switching a fault needs it. */
  faultsToken?: string | undefined;
}

const priority = z.enum(PRIORITIES).default("normal");
const content = z.string().min(1);
const sendSchema = z.strictObject({ content, priority });
const bulkSchema = z.strictObject({ content, priority, count: z.int().min(1).max(1000) });
const loadSchema = z.strictObject({
  duration_seconds: z.number().min(1).max(3600),
  messages_per_second: z.number().min(1).max(10_000),
  priority,
  concurrent: z.boolean().default(false),
});

/** Builds the app; opens nothing and starts no timer until a load run is asked for. */
export function createApp(deps: ProducerAppDeps): Hono {
  const { loads, logger, queue } = deps;
  const faults = deps.faults ?? new FaultRegistry(PRODUCER_FAULTS, { logger });
  const { app, registry } = createServiceApp({ service: "producer", ...deps, faults });
  const publisher = withPublishFaults(deps.publisher, { faults });
  const send = createSender(publisher, registry);

  app.post("/send", async (c) => {
    const input = await readJson(c, sendSchema);
    const { message, traceId } = await send(input.content, input.priority).catch((error) => {
      logger.error("Message not published", { priority: input.priority, error });
      return unavailable(error);
    });
    logger.debug("Message sent", { message_id: message.id, priority: message.priority });
    return c.json({
      status: "confirmed",
      message_id: message.id,
      trace_id: traceId,
      queue,
      priority: message.priority,
    }, 202);
  });

  app.post("/send-bulk", async (c) => {
    const input = await readJson(c, bulkSchema);
    const results = await Promise.allSettled(
      Array.from({ length: input.count }, () => send(input.content, input.priority)),
    );
    const ids = results.flatMap((r) => r.status === "fulfilled" ? [r.value.message.id] : []);
    if (ids.length < input.count) {
      const failure = results.find((r) => r.status === "rejected")?.reason;
      logger.error("Bulk send partly failed", {
        confirmed: ids.length,
        count: input.count,
        error: failure,
      });
      throw new HttpError(
        503,
        "broker_unavailable",
        `Only ${ids.length} of ${input.count} messages were confirmed: ${String(failure)}`,
        { cause: failure, headers: { "retry-after": "5" } },
      );
    }
    const traceId = results[0]?.status === "fulfilled" ? results[0].value.traceId : undefined;
    return c.json({
      status: "confirmed",
      count: ids.length,
      message_ids: ids,
      trace_id: traceId,
      queue,
      priority: input.priority,
    }, 202);
  });

  app.post("/simulate-load", async (c) => {
    const input = await readJson(c, loadSchema);
    if (!publisher.ready) unavailable(new Error("not connected to RabbitMQ"));
    try {
      const run = loads.start(
        {
          durationSeconds: input.duration_seconds,
          messagesPerSecond: input.messages_per_second,
          priority: input.priority,
        },
        (level) => send("simulated load", level, { newTrace: true }),
        {
          concurrent: input.concurrent,
        },
      );
      logger.info("Load run started", { run_id: run.id, ...input });
      return c.json(run, 202, { location: `/simulate-load/${run.id}` });
    } catch (error) {
      if (!(error instanceof LoadConflictError)) throw error;
      throw new HttpError(409, "load_run_active", error.message, { cause: error });
    }
  });

  app.get("/simulate-load/:id", (c) => c.json(findRun(loads.get(c.req.param("id")), c)));

  app.delete("/simulate-load/:id", (c) => {
    const run = findRun(loads.stop(c.req.param("id")), c);
    logger.info("Load run stopped", { run_id: run.id, sent: run.sent });
    return c.json(run);
  });

  return app;
}

function findRun<T>(run: T | undefined, c: { req: { param(name: string): string } }): T {
  if (run === undefined) {
    throw new HttpError(404, "load_run_not_found", `Load run "${c.req.param("id")}" not found`);
  }
  return run;
}

function unavailable(error: unknown): never {
  const detail = error instanceof PublishError || error instanceof Error
    ? error.message
    : String(error);
  throw new HttpError(503, "broker_unavailable", `Message not sent: ${detail}`, {
    cause: error,
    headers: { "retry-after": "5" },
  });
}
