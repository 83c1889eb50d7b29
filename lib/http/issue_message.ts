/**
 * Validation messages in our wording, not zod's: `expected an integer, not "abc"` instead of
 * "Invalid input: expected int, received string". Schemas that state their own message keep it;
 * `issueMessage` words every issue a schema leaves to zod's defaults.
 */
import type { z } from "zod";

const NOUNS: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  bigint: "an integer",
  date: "a date",
  null: "null",
};

/** A short, quoted description of a value a client sent. */
function shown(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  return String(value);
}

function sizeUnit(origin: unknown): string {
  return origin === "string"
    ? " characters"
    : origin === "array" || origin === "set"
    ? " items"
    : "";
}

/** Our message for `issue`, or undefined to keep zod's (an issue kind we never see). */
export function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type": {
      const expected = NOUNS[issue.expected] ?? issue.expected;
      return issue.input === undefined
        ? `required: expected ${expected}`
        : `expected ${expected}, not ${shown(issue.input)}`;
    }
    case "too_big": {
      const bound = issue.inclusive === false ? "less than" : "at most";
      return `expected ${bound} ${issue.maximum}${sizeUnit(issue.origin)}`;
    }
    case "too_small": {
      if (issue.origin === "string" && Number(issue.minimum) === 1) return "must not be empty";
      const bound = issue.inclusive === false ? "more than" : "at least";
      return `expected ${bound} ${issue.minimum}${sizeUnit(issue.origin)}`;
    }
    case "invalid_value":
      return `expected ${issue.values.map((value) => JSON.stringify(value)).join(", ")}, not ${
        shown(issue.input)
      }`;
    case "invalid_format":
      return issue.format === "email"
        ? "expected a valid email address"
        : issue.format === "regex"
        ? `expected text matching ${String(issue.pattern)}`
        : `expected a valid ${issue.format}`;
    case "not_multiple_of":
      return `expected a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length === 1 ? "" : "s"} ${
        issue.keys.map((key) => `"${key}"`).join(", ")
      }`;
    default:
      return undefined;
  }
}

/**
 * Each issue as `"field": message` (an unknown field named as the field), or the message alone
 * for the value as a whole.
 */
export function issueList(issues: readonly z.core.$ZodIssue[]): string {
  const named = (path: readonly PropertyKey[], message: string) =>
    path.length === 0 ? message : `"${path.map(String).join(".")}": ${message}`;
  return issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => named([...issue.path, key], "unknown field"))
      : [named(issue.path, issue.message)]
  ).join("; ");
}
