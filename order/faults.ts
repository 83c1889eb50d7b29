/**
 * The order service's faults, on its calls to user: a delay before each call, and a share of calls
 * that fail as if user were down. The server span of the request carries the mark.
 */
import { delayFault, shareFault } from "../lib/faults/fault.ts";
import type { FaultRegistry } from "../lib/faults/registry.ts";
import { delayMark, markActiveSpan, sleep } from "../lib/faults/span_marks.ts";
import { type UserDirectory, UserServiceUnavailableError } from "../user/client.ts";

const SLOW_USER_CALL = "slow_user_call";
const USER_ERRORS = "user_errors";

/** What `GET /faults` lists. */
export const ORDER_FAULTS = [
  delayFault(SLOW_USER_CALL, {
    description: "each call to user waits delay_ms ± jitter_ms before it is sent",
    delayMs: 300,
    jitterMs: 30,
  }),
  shareFault(USER_ERRORS, {
    description: "a share rate of calls to user fail as if user were down: the order gets 503",
    rate: 0.2,
  }),
] as const;

/** `users` with the faults acting on each lookup. */
export function withUserCallFaults(
  users: UserDirectory,
  options: { faults: FaultRegistry },
): UserDirectory {
  const { faults } = options;
  return {
    reachable: () => users.reachable(),
    async find(username) {
      const slow = faults.delay(SLOW_USER_CALL);
      if (slow !== undefined) {
        markActiveSpan(delayMark(SLOW_USER_CALL, slow));
        await sleep(slow.ms);
      }
      const failure = faults.hits(USER_ERRORS);
      if (failure !== undefined) {
        markActiveSpan({ name: USER_ERRORS, parameters: { rate: failure.rate } });
        throw new UserServiceUnavailableError(
          `User service call failed on purpose (fault ${USER_ERRORS}, rate ${failure.rate})`,
        );
      }
      return await users.find(username);
    },
  };
}
