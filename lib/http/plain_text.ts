/**
 * One rule for the text fields of records (user names, emails, full names, order items): no
 * control characters (C0, DEL, C1: NUL, tab, newline, escape, ...) and no lone surrogates. Both
 * stores would otherwise disagree: PostgreSQL refuses NUL ("invalid byte sequence", a 500) and
 * SQLite cuts the text at it. Rejected as 400 naming the field, on either backend.
 */
import type { z } from "zod";

// deno-lint-ignore no-control-regex -- control characters are what this rule looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `text` is not plain text, or `undefined` when it is. */
export function plainTextProblem(text: string): string | undefined {
  const control = CONTROL.exec(text);
  if (control !== null) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    return `must not contain control characters: U+${code} at character ${control.index}`;
  }
  if (!text.isWellFormed()) return "must be well-formed Unicode: it has a lone surrogate";
  return undefined;
}

/** A zod refinement holding a string to `plainTextProblem`: `z.string().superRefine(plainText)`. */
export function plainText(text: string, context: z.RefinementCtx): void {
  const problem = plainTextProblem(text);
  if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
}
