/**
 * `/api/v1/alerts`: the rules' states, and adding, replacing or removing a rule at run time.
 * POST only creates (409 when the name is taken); PUT to the rule's name creates or replaces it.
 */
import { Hono } from "hono";
import { readJson } from "../../lib/http/body.ts";
import { HttpError } from "../../lib/http/errors.ts";
import type { AlertEngine } from "./engine.ts";
import { alertRuleSchema, toAlertRule } from "./rule.ts";

/** `/api/v1/alerts` routes. */
export function alertRoutes(engine: AlertEngine): Hono {
  const app = new Hono();
  app.get("/api/v1/alerts", (c) => c.json({ alerts: engine.list() }));
  app.post("/api/v1/alerts/rules", async (c) => {
    const rule = toAlertRule(await readJson(c, alertRuleSchema));
    engine.addRule(rule);
    return c.json(rule, 201);
  });
  app.put("/api/v1/alerts/rules/:name", async (c) => {
    const name = c.req.param("name");
    const body = await readJson(c, alertRuleSchema);
    if (body.name !== undefined && body.name !== name) {
      throw new HttpError(
        400,
        "invalid_request",
        `Invalid "name" "${body.name}": a PUT names its rule in the path ("${name}")`,
      );
    }
    const rule = toAlertRule({ ...body, name });
    const outcome = engine.addRule(rule, { replace: true });
    return c.json(rule, outcome === "created" ? 201 : 200);
  });
  app.delete("/api/v1/alerts/rules/:name", (c) => {
    const name = c.req.param("name");
    if (!engine.removeRule(name)) {
      throw new HttpError(404, "rule_not_found", `Alert rule "${name}" not found`);
    }
    return c.body(null, 204);
  });
  return app;
}
