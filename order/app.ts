/** The order service's routes: CRUD over orders, checking each order's user with `user`. */
import type { Hono } from "hono";
import { readJson, readQuery, validate } from "../lib/http/body.ts";
import { HttpError } from "../lib/http/errors.ts";
import type { ReadinessCheck } from "../lib/http/health.ts";
import type { Logger } from "../lib/log.ts";
import { createServiceApp } from "../lib/http/service_app.ts";
import { FaultRegistry } from "../lib/faults/registry.ts";
import type { Telemetry } from "../lib/telemetry/setup.ts";
import { type UserDirectory, UserServiceUnavailableError } from "../user/client.ts";
import { ORDER_FAULTS, withUserCallFaults } from "./faults.ts";
import { formatCents, MAX_TOTAL_CENTS, toCents, totalCents } from "./money.ts";
import { newOrderSchema, orderChangesSchema, orderIdSchema, orderQuerySchema } from "./order.ts";
import type { OrderStore } from "./store.ts";

/** What the order app needs. */
export interface OrderAppDeps {
  store: OrderStore;
  users: UserDirectory;
  logger: Logger;
  telemetry: Telemetry;
  maxBodyBytes: number;
  readiness?: Readonly<Record<string, ReadinessCheck>>;
  /** Static facts for `/health`, e.g. which database (secrets masked). */
  health?: Readonly<Record<string, unknown>>;
  /** Its faults (FAULTS switches them at start); all off when omitted. */
  faults?: FaultRegistry;
  /** FAULTS_TOKEN: when set, switching a fault needs it. */
  faultsToken?: string | undefined;
}

/** Builds the app; opens nothing. */
export function createApp(deps: OrderAppDeps): Hono {
  const { store, logger } = deps;
  const faults = deps.faults ?? new FaultRegistry(ORDER_FAULTS, { logger });
  const { app } = createServiceApp({ service: "order", ...deps, faults });
  const users = withUserCallFaults(deps.users, { faults });
  const orderId = (raw: string) => validate(orderIdSchema, { id: raw }, "params").id;
  const notFound = (id: number) => new HttpError(404, "order_not_found", `Order ${id} not found`);

  /** Throws 422 when the total would pass the largest one the API can state exactly. */
  const requireTotalInRange = (quantity: number, unitPrice: number): void => {
    const cents = toCents(unitPrice);
    if (cents !== undefined && totalCents(quantity, cents) !== undefined) return;
    throw new HttpError(
      422,
      "total_out_of_range",
      `Order total of ${quantity} x ${unitPrice} is out of range: expected at most ${
        formatCents(MAX_TOTAL_CENTS)
      }`,
    );
  };

  /** Throws 422 for an unknown user and 503 when the user service cannot tell. */
  const requireUser = async (username: string): Promise<void> => {
    try {
      if (await users.find(username) !== undefined) {
        logger.debug("User checked", { username });
        return;
      }
    } catch (error) {
      if (error instanceof UserServiceUnavailableError) {
        logger.error("User service unavailable; order refused", { username, error });
        throw new HttpError(503, "user_service_unavailable", error.message, {
          cause: error,
          headers: { "retry-after": "1" },
        });
      }
      throw error;
    }
    logger.warn("Unknown user; order refused", { username });
    throw new HttpError(422, "unknown_user", `User "${username}" does not exist`);
  };

  app.post("/orders", async (c) => {
    const input = await readJson(c, newOrderSchema);
    requireTotalInRange(input.quantity, input.unit_price);
    await requireUser(input.username);
    const order = await store.create(input);
    logger.info("Order created", { order_id: order.id, username: order.username });
    return c.json(order, 201, { location: `/orders/${order.id}` });
  });

  app.get("/orders", async (c) => {
    const query = readQuery(c, orderQuerySchema);
    return c.json({ ...await store.list(query), limit: query.limit, offset: query.offset });
  });

  app.get("/orders/:id", async (c) => {
    const id = orderId(c.req.param("id"));
    const order = await store.get(id);
    if (order === undefined) throw notFound(id);
    return c.json(order);
  });

  app.put("/orders/:id", async (c) => {
    const id = orderId(c.req.param("id"));
    const changes = await readJson(c, orderChangesSchema);
    const current = await store.get(id);
    if (current === undefined) throw notFound(id);
    requireTotalInRange(
      changes.quantity ?? current.quantity,
      changes.unit_price ?? current.unit_price,
    );
    if (changes.username !== undefined && changes.username !== current.username) {
      await requireUser(changes.username);
    }
    const order = await store.update(id, changes);
    if (order === undefined) throw notFound(id);
    logger.info("Order updated", { order_id: id });
    return c.json(order);
  });

  app.delete("/orders/:id", async (c) => {
    const id = orderId(c.req.param("id"));
    if (!await store.delete(id)) throw notFound(id);
    logger.info("Order deleted", { order_id: id });
    return c.body(null, 204);
  });

  return app;
}
