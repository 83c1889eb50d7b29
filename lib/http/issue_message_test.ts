import assert from "node:assert/strict";
import { z } from "zod";
import { HttpError } from "./errors.ts";
import { validate } from "./body.ts";

const schema = z.strictObject({
  name: z.string().min(1).max(5),
  count: z.number().int().min(1).max(10),
  ratio: z.number().lt(1).optional(),
  priority: z.enum(["high", "low"]).optional(),
  email: z.email().optional(),
  tags: z.array(z.string()).max(2).optional(),
  code: z.string().regex(/^[a-z]+$/, "expected lowercase letters").optional(),
});

function messageOf(value: unknown): string {
  try {
    validate(schema, value, "body");
  } catch (error) {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 400);
    return error.message;
  }
  assert.fail("expected a 400");
}

Deno.test("validate() words every issue in our style, not zod's", async (t) => {
  const cases: [string, unknown, string][] = [
    [
      "missing fields",
      {},
      '"name": required: expected a string; "count": required: expected a number',
    ],
    [
      "a wrong type, quoted",
      { name: 5, count: "3" },
      '"name": expected a string, not 5; "count": expected a number, not "3"',
    ],
    ["not an integer", { name: "a", count: 1.5 }, '"count": expected an integer, not 1.5'],
    [
      "too long, too big",
      { name: "abcdef", count: 11 },
      '"name": expected at most 5 characters; "count": expected at most 10',
    ],
    [
      "empty, too small",
      { name: "", count: 0 },
      '"name": must not be empty; "count": expected at least 1',
    ],
    ["an exclusive bound", { name: "a", count: 1, ratio: 1 }, '"ratio": expected less than 1'],
    [
      "not one of the options",
      { name: "a", count: 1, priority: "urgent" },
      '"priority": expected "high", "low", not "urgent"',
    ],
    [
      "not an email",
      { name: "a", count: 1, email: "nope" },
      '"email": expected a valid email address',
    ],
    [
      "too many items",
      { name: "a", count: 1, tags: ["a", "b", "c"] },
      '"tags": expected at most 2 items',
    ],
    [
      "unknown fields, each named",
      { name: "a", count: 1, x: 1, y: 2 },
      '"x": unknown field; "y": unknown field',
    ],
    ["the value as a whole", [], "expected an object, not an array"],
    [
      "a schema's own message stays",
      { name: "a", count: 1, code: "A" },
      '"code": expected lowercase letters',
    ],
  ];
  for (const [label, value, expected] of cases) {
    await t.step(label, () => assert.equal(messageOf(value), `Invalid body: ${expected}`));
  }
  await t.step("no message keeps zod's wording", () => {
    const all = cases.map(([, value]) => messageOf(value)).join("\n");
    assert.doesNotMatch(
      all,
      /Invalid input|Invalid option|Too (big|small)|Unrecognized key|received/,
    );
  });
});
