/**
 * The fault API of the query port: `GET /api/v1/faults` lists every configured service's faults,
 * `PUT /api/v1/faults/{service}/{name}` switches one (a write: INGEST_TOKEN when set) and answers
 * what the service answered.
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { readJson } from "../../lib/http/body.ts";
import { HttpError } from "../../lib/http/errors.ts";
import { type ServiceFaults, type SwitchAnswer, UnknownServiceError } from "./service_faults.ts";

/** The API routes. */
export function faultApiRoutes(faults: ServiceFaults): Hono {
  const app = new Hono();
  app.get("/api/v1/faults", async (c) => {
    c.header("cache-control", "no-store");
    return c.json({ services: await faults.list() });
  });
  app.put("/api/v1/faults/:service/:name", async (c) => {
    const change = await readJson(c, z.unknown());
    const answer = await switchFault(faults, c.req.param("service"), c.req.param("name"), change);
    return c.json(answer.body, answer.status as ContentfulStatusCode);
  });
  return app;
}

/** Passes a switch on; 404 for an unknown service, 502 when it cannot be reached. */
export async function switchFault(
  faults: ServiceFaults,
  service: string,
  name: string,
  change: unknown,
): Promise<SwitchAnswer> {
  try {
    return await faults.change(service, name, change);
  } catch (error) {
    if (error instanceof UnknownServiceError) {
      throw new HttpError(404, "service_not_found", error.message, { cause: error });
    }
    throw new HttpError(
      502,
      "service_unreachable",
      `Service "${service}" did not answer: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
