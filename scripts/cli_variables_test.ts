import assert from "node:assert/strict";
import type { Env } from "../lib/config/env_reader.ts";
import { CLI_SPECS, type ServiceName } from "../lib/config/cli_variables.ts";
import { loadConfig as consumerConfig } from "../consumer/config.ts";
import { loadConfig as orderConfig } from "../order/config.ts";
import { loadConfig as producerConfig } from "../producer/config.ts";
import { loadConfig as tracingConfig } from "../tracing/config.ts";
import { loadConfig as userConfig } from "../user/config.ts";

const LOADERS: Record<ServiceName, (env: Env) => unknown> = {
  user: userConfig,
  order: orderConfig,
  producer: producerConfig,
  consumer: consumerConfig,
  tracing: tracingConfig,
};

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

for (const [service, load] of Object.entries(LOADERS)) {
  const spec = CLI_SPECS[service as ServiceName];
  const variables = spec.groups.flatMap((group) => group.variables);

  Deno.test(`${service} --help lists exactly the variables its loadConfig reads`, () => {
    // The sampler argument is read only for the ratio samplers.
    const read = variablesRead(load, { OTEL_TRACES_SAMPLER: "traceidratio" });
    assert.deepEqual(variables.map((variable) => variable.name).sort(), [...read].sort());
  });

  Deno.test(`${service} --help states the defaults its loadConfig applies`, async (t) => {
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
