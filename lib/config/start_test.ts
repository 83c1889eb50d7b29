import assert from "node:assert/strict";
import { logConfig } from "./start.ts";
import { serviceSpec } from "./service_config.ts";
import { keyValueList, text, url } from "./parsers.ts";
import { declareVariables } from "./variables.ts";
import { createLogger } from "../log.ts";

const OWN = declareVariables("svc", {
  API_TOKEN: { parse: text(), secret: true, meaning: "a token" },
  BROKER_URL: { parse: url(["amqp:"]), secret: true, meaning: "broker" },
  EXTRA_HEADERS: { parse: keyValueList(), secret: true, meaning: "headers" },
  GREETING: { parse: text(), default: "hello", meaning: "not a secret" },
});
const SPEC = serviceSpec({
  service: "svc",
  summary: "s",
  port: 1,
  dataDir: false,
  own: [OWN.group],
});

Deno.test("logConfig() masks the values of variables declared secret, wherever they are", () => {
  const lines: string[] = [];
  const logger = createLogger({ service: "svc", write: (line) => lines.push(line) });
  const env = {
    API_TOKEN: "t0ken",
    BROKER_URL: "amqp://bob:pw@broker:5672",
    EXTRA_HEADERS: "x-key=k3y,x-team=blue",
    GREETING: "t0ken-free",
  };
  const config = {
    nested: { token: "t0ken", broker: "amqp://bob:pw@broker:5672" },
    headers: { "x-key": "k3y", "x-team": "blue" },
    greeting: "t0ken-free",
  };
  logConfig(logger, config, { spec: SPEC, env });
  const logged = JSON.parse(lines[0]!).config;
  assert.deepEqual(logged, {
    nested: { token: "***", broker: "amqp://bob:***@broker:5672" },
    headers: { "x-key": "***", "x-team": "***" },
    greeting: "t0ken-free",
  });
  assert.doesNotMatch(lines[0]!, /k3y|:pw@/);
});
