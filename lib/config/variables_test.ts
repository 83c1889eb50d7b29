import assert from "node:assert/strict";
import { createEnvReader } from "./env_reader.ts";
import { int, list, text, url } from "./parsers.ts";
import { declareVariables } from "./variables.ts";
import { catchConfigError } from "../testing/config.ts";

const V = declareVariables("example", {
  RETRIES: { parse: int({ min: 0, max: 5 }), default: "2", meaning: "tries" },
  HOOK_URL: { parse: url(), meaning: "where to post" },
  TOKEN: { parse: text(), secret: true, meaning: "a secret" },
  TARGETS: { parse: list(url(), "comma-separated http or https URLs"), meaning: "copies" },
});

Deno.test("declareVariables() keys each variable by name and lists them in order", () => {
  assert.equal(V.RETRIES.name, "RETRIES");
  assert.equal(V.RETRIES.default, "2");
  assert.equal(V.TOKEN.secret, true);
  assert.equal(V.HOOK_URL.secret, false);
  assert.equal(V.group.title, "example");
  assert.deepEqual(V.group.variables.map((v) => v.name), [
    "RETRIES",
    "HOOK_URL",
    "TOKEN",
    "TARGETS",
  ]);
});

Deno.test("EnvReader reads declared variables: value, optional and given", async (t) => {
  await t.step("value() parses the env, else the declared default", () => {
    assert.equal(createEnvReader({ RETRIES: "4" }).value(V.RETRIES), 4);
    assert.equal(createEnvReader({}).value(V.RETRIES), 2);
  });
  await t.step("optional() is undefined for an unset variable without a default", () => {
    assert.equal(createEnvReader({}).optional(V.HOOK_URL), undefined);
    assert.equal(createEnvReader({ HOOK_URL: " http://h/x " }).optional(V.HOOK_URL), "http://h/x");
  });
  await t.step("given() ignores the default", () => {
    assert.equal(createEnvReader({}).given(V.RETRIES), undefined);
    assert.equal(createEnvReader({ RETRIES: "0" }).given(V.RETRIES), 0);
  });
  await t.step("value() of a variable without a default is a programming error", () => {
    assert.throws(() => createEnvReader({}).value(V.HOOK_URL), /HOOK_URL has no default/);
  });
});

Deno.test("EnvReader reports each bad list item and masks URL passwords in problems", () => {
  const error = catchConfigError(() => {
    const read = createEnvReader({
      RETRIES: "9",
      HOOK_URL: "ftp://me:pw@host",
      TARGETS: "http://ok, ftp://a ,b",
    });
    assert.equal(read.value(V.RETRIES), 2);
    assert.equal(read.optional(V.HOOK_URL), undefined);
    assert.equal(read.optional(V.TARGETS), undefined);
    read.assertValid();
  });
  assert.deepEqual(error.problems, [
    'Invalid RETRIES "9": expected an integer from 0 to 5',
    'Invalid HOOK_URL "ftp://me:***@host": expected an absolute http or https URL',
    'Invalid TARGETS "ftp://a": expected comma-separated http or https URLs',
    'Invalid TARGETS "b": expected comma-separated http or https URLs',
  ]);
});
