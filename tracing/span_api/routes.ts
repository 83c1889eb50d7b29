/**
 * The span API for clients without an OpenTelemetry SDK, and the seed service's aliases
 * (`/start-trace`, `/add-trace`, `/stop-trace`). Every answer carries the real W3C ids.
 */
import { Hono } from "hono";
import { z } from "zod";
import { readJson } from "../../lib/http/body.ts";
import { HttpError } from "../../lib/http/errors.ts";
import { parseTraceparent } from "../../lib/telemetry/traceparent.ts";
import type { OpenSpans } from "./open_spans.ts";
import { SPAN_KINDS, STATUS_ERROR, STATUS_OK, STATUS_UNSET, toKeyValues } from "../span_model.ts";
import { isSpanId, isTraceId } from "../trace_id.ts";
import { spanTimeBounds, timeProblem } from "../span_times.ts";

const traceId = z.string().refine(isTraceId, "expected 32 hex digits");
const spanId = z.string().refine(isSpanId, "expected 16 hex digits");
const attributes = z.record(
  z.string(),
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.array(z.union([z.string(), z.number(), z.boolean()])),
  ]),
).default({});
const time = z.string().max(64).optional();
const service = z.string().min(1).max(200).default("unknown_service");
const name = z.string().min(1).max(500);
const statusName = z.enum(["unset", "ok", "error"]).optional();
const STATUS = { unset: STATUS_UNSET, ok: STATUS_OK, error: STATUS_ERROR } as const;

const startSchema = z.object({
  service,
  name,
  kind: z.enum(["internal", "server", "client", "producer", "consumer"]).default("internal"),
  traceparent: z.string().optional(),
  parent_span_id: spanId.optional(),
  start_time: time,
  attributes,
});
const eventSchema = z.object({ name, time, attributes });
const attributesSchema = z.object({ attributes });
const endSchema = z.object({
  end_time: time,
  status: statusName,
  status_message: z.string().max(4096).optional(),
});
const seedStart = z.object({
  service,
  operation: name,
  message: z.string().max(4096).optional(),
  start_time: time,
});
const seedAdd = seedStart.extend({
  trace_id: traceId,
  parent_span_id: spanId,
});
const seedStop = z.object({
  span_id: z.string().min(1),
  end_time: time,
  status: statusName,
  message: z.string().max(4096).optional(),
});

/** Routes of the span API and the seed aliases. */
export function spanApiRoutes(spans: OpenSpans): Hono {
  const app = new Hono();
  app.post("/api/v1/spans", async (c) => {
    const body = await readJson(c, startSchema);
    const started = spans.start({
      service: body.service,
      name: body.name,
      kind: SPAN_KINDS.indexOf(body.kind),
      ...(body.traceparent === undefined
        ? {}
        : { remoteParent: readTraceparent(body.traceparent) }),
      ...(body.parent_span_id === undefined ? {} : { parentSpanId: body.parent_span_id }),
      ...optionalTime("startNs", "start_time", body.start_time),
      attributes: toKeyValues(body.attributes),
    });
    return c.json(started, 201);
  });
  app.post("/api/v1/spans/:spanId/events", async (c) => {
    const body = await readJson(c, eventSchema);
    return c.json(spans.addEvent(c.req.param("spanId"), {
      name: body.name,
      ...optionalTime("timeNs", "time", body.time),
      attributes: toKeyValues(body.attributes),
    }));
  });
  app.post("/api/v1/spans/:spanId/attributes", async (c) => {
    const body = await readJson(c, attributesSchema);
    return c.json(spans.setAttributes(c.req.param("spanId"), toKeyValues(body.attributes)));
  });
  app.post("/api/v1/spans/:spanId/end", async (c) => {
    const body = await readJson(c, endSchema);
    return c.json(spans.end(c.req.param("spanId"), {
      ...optionalTime("endNs", "end_time", body.end_time),
      ...(body.status === undefined
        ? {}
        : { status: STATUS[body.status], message: body.status_message ?? "" }),
    }));
  });

  app.post("/start-trace", async (c) => {
    const body = await readJson(c, seedStart);
    return c.json(
      spans.start({
        service: body.service,
        name: body.operation,
        kind: 1,
        ...optionalTime("startNs", "start_time", body.start_time),
        attributes: body.message === undefined ? [] : toKeyValues({ message: body.message }),
      }),
      201,
    );
  });
  app.post("/add-trace", async (c) => {
    const body = await readJson(c, seedAdd);
    return c.json(
      spans.start({
        service: body.service,
        name: body.operation,
        kind: 1,
        traceId: body.trace_id,
        parentSpanId: body.parent_span_id,
        ...optionalTime("startNs", "start_time", body.start_time),
        attributes: body.message === undefined ? [] : toKeyValues({ message: body.message }),
      }),
      201,
    );
  });
  app.post("/stop-trace", async (c) => {
    const body = await readJson(c, seedStop);
    return c.json(spans.end(body.span_id, {
      ...optionalTime("endNs", "end_time", body.end_time),
      ...(body.status === undefined
        ? {}
        : { status: STATUS[body.status], message: body.message ?? "" }),
    }));
  });
  return app;
}

function optionalTime<K extends string>(
  key: K,
  field: string,
  text: string | undefined,
): { [P in K]?: bigint } {
  if (text === undefined) return {};
  const ms = Date.parse(text);
  const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/i;
  if (!rfc3339.test(text) || !Number.isFinite(ms)) {
    throw new HttpError(
      400,
      "invalid_time",
      `Invalid ${field} "${text}": expected an RFC 3339 time like 2024-05-01T12:00:00.123Z`,
    );
  }
  const fraction = /\.(\d{1,9})/.exec(text)?.[1] ?? "";
  const subMs = BigInt(fraction.padEnd(9, "0").slice(3) || "0");
  const nanos = BigInt(ms) * 1_000_000n + subMs;
  // The rule every entrance applies (span_times.ts), checked here so the answer is a 400.
  const problem = timeProblem(String(nanos), spanTimeBounds(Date.now()));
  if (problem !== undefined) {
    throw new HttpError(400, "invalid_time", `Invalid ${field} "${text}": it is ${problem}`);
  }
  return { [key]: nanos } as { [P in K]?: bigint };
}

function readTraceparent(text: string): { traceId: string; spanId: string } {
  const parent = parseTraceparent(text);
  if (parent === undefined) {
    throw new HttpError(
      400,
      "invalid_traceparent",
      `Invalid traceparent "${text}": expected 00-<32 hex>-<16 hex>-<2 hex>`,
    );
  }
  return { traceId: parent.traceId, spanId: parent.spanId };
}
