/**
 * The user service's contract for other services: look a user up over HTTP.
 * Imported by `order`; nothing else of `user/` is.
 */
import type { TracedFetch } from "../lib/telemetry/traced_fetch.ts";
import type { User } from "./user.ts";

export type { User } from "./user.ts";

/** Raised when the user service cannot answer: down, slow, or failing. */
export class UserServiceUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UserServiceUnavailableError";
  }
}

/** Looks users up. */
export interface UserDirectory {
  /** The user, or `undefined` when there is none; throws `UserServiceUnavailableError`. */
  find(username: string): Promise<User | undefined>;
  /** Whether the user service answers its health check. */
  reachable(): Promise<boolean>;
}

/** A `UserDirectory` over the user service's HTTP API at `baseUrl`. */
export function createUserClient(options: { baseUrl: string; fetch: TracedFetch }): UserDirectory {
  const base = options.baseUrl.replace(/\/+$/, "");
  return {
    async find(username) {
      let response: Response;
      try {
        response = await options.fetch(`${base}/users/${encodeURIComponent(username)}`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new UserServiceUnavailableError(`User service unreachable: ${reason}`, {
          cause: error,
        });
      }
      if (response.status === 200) return await response.json() as User;
      await response.body?.cancel();
      if (response.status === 404 || response.status === 400) return undefined;
      throw new UserServiceUnavailableError(
        `User service answered ${response.status} for user "${username}"`,
      );
    },
    async reachable() {
      try {
        // A plain fetch: readiness probes run every few seconds and would flood the traces.
        const response = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1000) });
        await response.body?.cancel();
        return response.ok;
      } catch {
        return false;
      }
    },
  };
}
