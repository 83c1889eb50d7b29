import assert from "node:assert/strict";
import type { Env } from "../lib/config/env_reader.ts";
import { readSections, variableSections } from "../lib/config/variable_docs.ts";
import { CONFIGURATION_DOC, MARKERS } from "./config_docs.ts";
import { CONFIG_LOADERS, SERVICE_SPECS, type ServiceName } from "./service_specs.ts";

Deno.test("docs/configuration.md's variable tables are the declarations (deno task docs:config rewrites them)", async () => {
  const doc = await Deno.readTextFile(CONFIGURATION_DOC);
  const tables = doc.slice(doc.indexOf(MARKERS[0]), doc.indexOf(MARKERS[1]));
  assert.deepEqual(
    readSections(tables),
    variableSections(Object.values(SERVICE_SPECS)),
    "docs/configuration.md and the declarations differ: run `deno task docs:config`",
  );
});

/** Every variable `load` reads; `set` turns on reads that depend on another value. */
function variablesRead(load: (env: Env) => unknown, set: Record<string, string>): Set<string> {
  const seen = new Set<string>();
  load(
    new Proxy(set, {
      get(target, name) {
        if (typeof name === "string") seen.add(name);
        return Reflect.get(target, name);
      },
    }),
  );
  return seen;
}

for (const [service, load] of Object.entries(CONFIG_LOADERS)) {
  const variables = SERVICE_SPECS[service as ServiceName].groups.flatMap((group) =>
    group.variables
  );

  Deno.test(`${service} declares exactly the variables its loadConfig reads`, () => {
    // The sampler argument is read only for the ratio samplers.
    const read = variablesRead(load, { OTEL_TRACES_SAMPLER: "traceidratio" });
    assert.deepEqual(variables.map((variable) => variable.name).sort(), [...read].sort());
  });

  Deno.test(`${service} applies the defaults its declarations state`, async (t) => {
    // serviceNameSet only records that OTEL_SERVICE_NAME was given, not a different value.
    const settings = (env: Env) =>
      JSON.stringify(load(env), (key, value) => key === "serviceNameSet" ? undefined : value);
    const defaults = settings({});
    for (const variable of variables) {
      if (variable.default === undefined) continue;
      await t.step(variable.name, () => {
        const explicit = settings({ [variable.name]: variable.default });
        assert.equal(explicit, defaults, `${variable.name}=${variable.default} is not the default`);
      });
    }
  });
}

Deno.test("the services that keep data are user, order and tracing", () => {
  assert.deepEqual(
    Object.values(SERVICE_SPECS).filter((spec) => spec.dataDir).map((spec) => spec.service),
    ["user", "order", "tracing"],
  );
});
