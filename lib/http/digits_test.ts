import assert from "node:assert/strict";
import { digitsSchema } from "./digits.ts";

Deno.test("digitsSchema() reads plain decimal digits only", async (t) => {
  const schema = digitsSchema({ min: 1, max: 1000 });
  for (const [text, value] of [["1", 1], ["0042", 42], ["1000", 1000]] as const) {
    await t.step(`"${text}" is ${value}`, () => assert.equal(schema.parse(text), value));
  }
  for (
    const text of [
      "0x10",
      " 1",
      "1 ",
      "1e1",
      "-1",
      "+1",
      "1.0",
      "1_0",
      "",
      "0",
      "1001",
      "9".repeat(400),
    ]
  ) {
    await t.step(`"${text}" is refused`, () => assert.equal(schema.safeParse(text).success, false));
  }
});
