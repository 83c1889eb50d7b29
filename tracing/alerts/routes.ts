/** `/api/v1/alerts`: the rules' states, and adding or removing a rule at run time. */
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
  app.delete("/api/v1/alerts/rules/:name", (c) => {
    const name = c.req.param("name");
    if (!engine.removeRule(name)) {
      throw new HttpError(404, "rule_not_found", `Alert rule "${name}" not found`);
    }
    return c.body(null, 204);
  });
  return app;
}
