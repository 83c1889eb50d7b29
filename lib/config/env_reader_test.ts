import assert from "node:assert/strict";
import { ConfigError, createEnvReader } from "./env_reader.ts";
import { catchConfigError } from "../testing/config.ts";

function problemsOf(work: () => void): readonly string[] {
  return catchConfigError(work).problems;
}

Deno.test("createEnvReader() collects every invalid variable into one ConfigError", () => {
  const read = createEnvReader({ PORT: "abc", RETRIES: "2.5", ENABLED: "maybe" });
  assert.equal(read.port("PORT", 3000), 3000);
  assert.equal(read.int("RETRIES", 3), 3);
  assert.equal(read.bool("ENABLED", false), false);
  const problems = problemsOf(() => read.assertValid());
  assert.deepEqual(problems, [
    'Invalid PORT "abc": expected an integer from 0 to 65535',
    'Invalid RETRIES "2.5": expected an integer',
    'Invalid ENABLED "maybe": expected true or false',
  ]);
});

Deno.test("ConfigError lists one problem a line in its message", () => {
  const error = new ConfigError(['Invalid A "x": expected y', 'Invalid B "z": expected w']);
  assert.equal(error.name, "ConfigError");
  assert.equal(
    error.message,
    'Invalid configuration:\n  Invalid A "x": expected y\n  Invalid B "z": expected w',
  );
});

Deno.test("createEnvReader().assertValid() passes when every value is valid", () => {
  const read = createEnvReader({ PORT: "8080" });
  assert.equal(read.port("PORT", 1), 8080);
  read.assertValid();
});

Deno.test("createEnvReader().raw() treats blank values as unset and trims", () => {
  const read = createEnvReader({ A: "  value  ", B: "   ", C: "" });
  assert.equal(read.raw("A"), "value");
  assert.equal(read.raw("B"), undefined);
  assert.equal(read.raw("C"), undefined);
  assert.equal(read.raw("MISSING"), undefined);
});

Deno.test("createEnvReader().string() falls back when unset or blank", () => {
  const read = createEnvReader({ NAME: "x", BLANK: " " });
  assert.equal(read.string("NAME", "d"), "x");
  assert.equal(read.string("BLANK", "d"), "d");
  assert.equal(read.string("MISSING", "d"), "d");
});

Deno.test("createEnvReader().port() accepts 0 to 65535 only", async (t) => {
  for (const value of ["0", "1", "65535", "3000", " 80 "]) {
    await t.step(`accepts "${value}"`, () => {
      const read = createEnvReader({ PORT: value });
      assert.equal(read.port("PORT", 9), Number(value));
      read.assertValid();
    });
  }
  for (const value of ["65536", "-1", "80.5", "1e3", "0x50", "abc", "80a"]) {
    await t.step(`rejects "${value}"`, () => {
      const read = createEnvReader({ PORT: value });
      assert.equal(read.port("PORT", 9), 9);
      assert.deepEqual(problemsOf(() => read.assertValid()), [
        `Invalid PORT "${value}": expected an integer from 0 to 65535`,
      ]);
    });
  }
  await t.step("uses the fallback when unset", () => {
    assert.equal(createEnvReader({}).port("PORT", 3001), 3001);
  });
});

Deno.test("createEnvReader().int() checks integers and ranges", async (t) => {
  await t.step("accepts an integer in range", () => {
    const read = createEnvReader({ N: "5" });
    assert.equal(read.int("N", 1, { min: 1, max: 10 }), 5);
    read.assertValid();
  });
  await t.step("describes both bounds", () => {
    const read = createEnvReader({ N: "11" });
    assert.equal(read.int("N", 1, { min: 1, max: 10 }), 1);
    assert.deepEqual(problemsOf(() => read.assertValid()), [
      'Invalid N "11": expected an integer from 1 to 10',
    ]);
  });
  await t.step("describes a lower bound only", () => {
    const read = createEnvReader({ N: "0" });
    read.int("N", 1, { min: 1 });
    assert.deepEqual(problemsOf(() => read.assertValid()), [
      'Invalid N "0": expected an integer of at least 1',
    ]);
  });
  await t.step("describes an upper bound only", () => {
    const read = createEnvReader({ N: "7" });
    read.int("N", 1, { max: 5 });
    assert.deepEqual(problemsOf(() => read.assertValid()), [
      'Invalid N "7": expected an integer of at most 5',
    ]);
  });
  await t.step("rejects fractions, words and infinities", () => {
    const read = createEnvReader({ A: "1.5", B: "ten", C: "Infinity" });
    read.int("A", 1);
    read.int("B", 1);
    read.int("C", 1);
    assert.equal(problemsOf(() => read.assertValid()).length, 3);
  });
});

Deno.test("createEnvReader().number() accepts fractions within range", async (t) => {
  await t.step("accepts 0.25", () => {
    const read = createEnvReader({ R: "0.25" });
    assert.equal(read.number("R", 1, { min: 0, max: 1 }), 0.25);
    read.assertValid();
  });
  await t.step("rejects 1.5 above the range", () => {
    const read = createEnvReader({ R: "1.5" });
    assert.equal(read.number("R", 1, { min: 0, max: 1 }), 1);
    assert.deepEqual(problemsOf(() => read.assertValid()), [
      'Invalid R "1.5": expected a number from 0 to 1',
    ]);
  });
  await t.step("rejects NaN text", () => {
    const read = createEnvReader({ R: "NaN" });
    read.number("R", 1);
    assert.deepEqual(problemsOf(() => read.assertValid()), [
      'Invalid R "NaN": expected a number',
    ]);
  });
});

Deno.test("createEnvReader().bool() accepts true/false, 1/0 and yes/no in any case", async (t) => {
  for (
    const [value, expected] of [
      ["true", true],
      ["TRUE", true],
      ["1", true],
      ["Yes", true],
      ["false", false],
      ["False", false],
      ["0", false],
      ["no", false],
    ] as const
  ) {
    await t.step(`reads "${value}" as ${expected}`, () => {
      const read = createEnvReader({ FLAG: value });
      assert.equal(read.bool("FLAG", !expected), expected);
      read.assertValid();
    });
  }
  await t.step("rejects other words", () => {
    const read = createEnvReader({ FLAG: "on" });
    assert.equal(read.bool("FLAG", true), true);
    assert.deepEqual(problemsOf(() => read.assertValid()), [
      'Invalid FLAG "on": expected true or false',
    ]);
  });
});

Deno.test("createEnvReader().url() accepts absolute http(s) URLs only", async (t) => {
  await t.step("accepts http and https", () => {
    const read = createEnvReader({ A: "http://x:1/p", B: "https://y" });
    assert.equal(read.url("A", "http://d"), "http://x:1/p");
    assert.equal(read.url("B", "http://d"), "https://y");
    read.assertValid();
  });
  await t.step("rejects a relative or schemeless URL", () => {
    const read = createEnvReader({ A: "localhost:3001", B: "/users" });
    assert.equal(read.url("A", "http://d"), "http://d");
    read.url("B", "http://d");
    assert.deepEqual(problemsOf(() => read.assertValid()), [
      'Invalid A "localhost:3001": expected an absolute http or https URL',
      'Invalid B "/users": expected an absolute http or https URL',
    ]);
  });
  await t.step("rejects another scheme and names the allowed ones", () => {
    const read = createEnvReader({ A: "ftp://x", B: "http://x" });
    read.url("A", "http://d");
    read.url("B", "amqp://d", ["amqp:", "amqps:"]);
    assert.deepEqual(problemsOf(() => read.assertValid()), [
      'Invalid A "ftp://x": expected an absolute http or https URL',
      'Invalid B "http://x": expected an absolute amqp or amqps URL',
    ]);
  });
  await t.step("masks the password of a rejected URL", () => {
    const read = createEnvReader({ A: "ftp://me:secret@host/" });
    read.url("A", "http://d");
    const [problem] = problemsOf(() => read.assertValid());
    assert.ok(problem !== undefined && !problem.includes("secret"), String(problem));
    assert.match(problem, /me:\*\*\*@host/);
  });
  await t.step("uses the fallback when unset", () => {
    assert.equal(createEnvReader({}).url("A", "http://d"), "http://d");
  });
});

Deno.test("createEnvReader().oneOf() matches case-insensitively and lists the options", () => {
  const read = createEnvReader({ A: "WARN", B: "verbose" });
  assert.equal(read.oneOf("A", ["info", "warn"], "info"), "warn");
  assert.equal(read.oneOf("B", ["info", "warn"], "info"), "info");
  assert.equal(read.oneOf("C", ["info", "warn"], "info"), "info");
  assert.deepEqual(problemsOf(() => read.assertValid()), [
    'Invalid B "verbose": expected one of info, warn',
  ]);
});

Deno.test("createEnvReader().problem() records a caller's own check", () => {
  const read = createEnvReader({});
  read.problem("X", "1", "something else");
  assert.deepEqual(problemsOf(() => read.assertValid()), [
    'Invalid X "1": expected something else',
  ]);
});
