/** @jsxImportSource hono/jsx */
/**
 * The Faults page: `GET /faults` shows each configured service's faults, and each fault's form
 * posts to `/faults/{service}/{name}`, which switches it on the service and shows the page again
 * (after a redirect, so a reload does not switch twice).
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { HttpError } from "../../lib/http/errors.ts";
import { switchFault } from "../faults/routes.ts";
import type { ServiceFaults } from "../faults/service_faults.ts";
import { FaultsPage } from "./faults_page.tsx";
import { pageHeaders } from "./routes.tsx";

/** The page's routes. */
export function faultsUiRoutes(faults: ServiceFaults): Hono {
  const app = new Hono();
  app.use("/faults", pageHeaders());
  app.use("/faults/*", pageHeaders());
  app.get("/faults", async (c) => {
    const switched = c.req.query("switched");
    return c.html(
      <FaultsPage
        services={await faults.list()}
        {...(switched === undefined ? {} : { switched })}
      />,
    );
  });
  app.post("/faults/:service/:name", async (c) => {
    const service = c.req.param("service");
    const name = c.req.param("name");
    const change = formChange(await c.req.parseBody());
    const page = async (error: string, status: number) =>
      c.html(
        <FaultsPage services={await faults.list()} error={error} />,
        status as ContentfulStatusCode,
      );
    try {
      const answer = await switchFault(faults, service, name, change);
      if (answer.status !== 200) {
        const message = (answer.body as { error?: { message?: string } } | null)?.error?.message;
        return await page(message ?? `${service} answered ${answer.status}`, answer.status);
      }
      const done = `${service} ${name} switched ${change.enabled ? "on" : "off"}`;
      return c.redirect(`/faults?switched=${encodeURIComponent(done)}`, 303);
    } catch (error) {
      if (error instanceof HttpError) return await page(error.message, error.status);
      throw error;
    }
  });
  return app;
}

/** The JSON change a fault's form stands for: numbers as numbers, blank fields left out. */
export function formChange(form: Record<string, unknown>): Record<string, unknown> {
  const change: Record<string, unknown> = { enabled: form.enabled === "true" };
  for (const field of ["delay_ms", "jitter_ms", "rate"]) {
    const value = form[field];
    if (typeof value !== "string" || value.trim() === "") continue;
    // A value that is no number goes on as text, so the service's 400 names it.
    change[field] = Number.isNaN(Number(value)) ? value : Number(value);
  }
  return change;
}
