/** The user service's routes: CRUD over users. */
import type { Hono } from "hono";
import { z } from "zod";
import { readJson, readQuery, validate } from "../lib/http/body.ts";
import { HttpError } from "../lib/http/errors.ts";
import type { ReadinessCheck } from "../lib/http/health.ts";
import type { Logger } from "../lib/log.ts";
import { pagingFields } from "../lib/http/paging.ts";
import { createServiceApp } from "../lib/http/service_app.ts";
import { FaultRegistry } from "../lib/faults/registry.ts";
import { withStoreFaults } from "../lib/faults/store_faults.ts";
import type { Telemetry } from "../lib/telemetry/setup.ts";
import { POOL_OF_ONE, SLOW_QUERY, USER_FAULTS } from "./faults.ts";
import { DuplicateUserError, type UserStore } from "./store.ts";
import { newUserSchema, userChangesSchema, usernameSchema } from "./user.ts";

/** What the user app needs. */
export interface UserAppDeps {
  store: UserStore;
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

const pageSchema = z.strictObject(pagingFields);
const paramsSchema = z.object({ username: usernameSchema });

/** Builds the app; opens nothing. */
export function createApp(deps: UserAppDeps): Hono {
  const { logger } = deps;
  const faults = deps.faults ?? new FaultRegistry(USER_FAULTS, { logger });
  const { app } = createServiceApp({ service: "user", ...deps, faults });
  const store = withStoreFaults(deps.store, {
    faults,
    names: { slow: SLOW_QUERY, oneAtATime: POOL_OF_ONE },
  });
  const usernameParam = (raw: string) =>
    validate(paramsSchema, { username: raw }, "params").username;
  const notFound = (username: string) =>
    new HttpError(404, "user_not_found", `User "${username}" not found`);

  app.post("/users", async (c) => {
    const input = await readJson(c, newUserSchema);
    try {
      const user = await store.create(input);
      logger.info("User created", { username: user.username });
      return c.json(user, 201, { location: `/users/${encodeURIComponent(user.username)}` });
    } catch (error) {
      if (error instanceof DuplicateUserError) {
        throw new HttpError(409, "user_exists", error.message, { cause: error });
      }
      throw error;
    }
  });

  app.get("/users", async (c) => {
    const page = readQuery(c, pageSchema);
    return c.json({ ...await store.list(page), ...page });
  });

  app.get("/users/:username", async (c) => {
    const username = usernameParam(c.req.param("username"));
    const user = await store.get(username);
    if (user === undefined) throw notFound(username);
    return c.json(user);
  });

  app.put("/users/:username", async (c) => {
    const username = usernameParam(c.req.param("username"));
    const changes = await readJson(c, userChangesSchema);
    const user = await store.update(username, changes);
    if (user === undefined) throw notFound(username);
    logger.info("User updated", { username });
    return c.json(user);
  });

  app.delete("/users/:username", async (c) => {
    const username = usernameParam(c.req.param("username"));
    if (!await store.delete(username)) throw notFound(username);
    logger.info("User deleted", { username });
    return c.body(null, 204);
  });

  return app;
}
