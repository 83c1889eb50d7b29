import assert from "node:assert/strict";
import { z } from "zod";
import { plainText, plainTextProblem } from "./plain_text.ts";

Deno.test("plainTextProblem() names the first control character and its place", async (t) => {
  await t.step("NUL, newline, tab, escape, DEL and C1 controls are refused", () => {
    assert.equal(
      plainTextProblem("abc\u0000def"),
      "must not contain control characters: U+0000 at character 3",
    );
    for (const control of ["\n", "\t", "\r", "\u001b", "\u007f", "\u0085", "\u009f"]) {
      assert.match(plainTextProblem(`a${control}b`) ?? "", /control characters: U\+00/);
    }
  });
  await t.step("a lone surrogate is refused", () => {
    assert.match(plainTextProblem("a\ud800b") ?? "", /lone surrogate/);
  });
  await t.step("any other text passes, accents, emoji and right-to-left included", () => {
    for (const text of ["Zoë Ünal", "名前", "😀 party", "שלום", "a\u00a0b", "x".repeat(200)]) {
      assert.equal(plainTextProblem(text), undefined, text);
    }
  });
});

Deno.test("plainText() refines a zod string with that message", () => {
  const schema = z.object({ item: z.string().superRefine(plainText) });
  const result = schema.safeParse({ item: "a\u0000" });
  assert.equal(result.success, false);
  assert.deepEqual(result.error?.issues.map((issue) => [issue.path, issue.message]), [
    [["item"], "must not contain control characters: U+0000 at character 1"],
  ]);
});
