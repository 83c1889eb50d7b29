/** The user record and the validation of what clients send. */
import { z } from "zod";
import { plainText } from "../lib/http/plain_text.ts";

/** A stored user, as the API returns it. */
export interface User {
  username: string;
  email: string;
  full_name: string;
  created_at: string;
  updated_at: string;
}

/** 3 to 32 characters: lowercase letters, digits, `_`, `.` and `-`, starting with a letter or digit. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{2,31}$/;

/** A valid username. */
export const usernameSchema = z.string().regex(
  USERNAME_PATTERN,
  "expected 3 to 32 lowercase letters, digits, '_', '.' or '-', starting with a letter or digit",
);

const emailSchema = z.email({ error: "expected a valid email address" }).max(254)
  .superRefine(plainText);
const fullNameSchema = z.string().trim().min(1, "must not be empty").max(200)
  .superRefine(plainText);

/** POST /users body. */
export const newUserSchema = z.strictObject({
  username: usernameSchema,
  email: emailSchema,
  full_name: fullNameSchema,
});

/** PUT /users/:username body: the fields to change; the username itself cannot change. */
export const userChangesSchema = z.strictObject({
  email: emailSchema.optional(),
  full_name: fullNameSchema.optional(),
}).refine(
  (changes) => changes.email !== undefined || changes.full_name !== undefined,
  "expected at least one of email, full_name",
);

/** What POST /users accepts. */
export type NewUser = z.output<typeof newUserSchema>;

/** What PUT /users/:username accepts. */
export type UserChanges = z.output<typeof userChangesSchema>;
