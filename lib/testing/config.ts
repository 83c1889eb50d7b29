/** Config test helper: the `ConfigError` a loader throws. */
import assert from "node:assert/strict";
import { ConfigError } from "../config/env_reader.ts";

/** Runs `work`, expecting it to throw a `ConfigError`, and returns that error. */
export function catchConfigError(work: () => unknown): ConfigError {
  try {
    work();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  assert.fail("expected a ConfigError");
}
