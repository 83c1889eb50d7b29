/** The user service's faults: a slow database and a connection pool of one, as in HotROD. */
import { delayFault, switchFault } from "../lib/faults/fault.ts";

/** Names of the store faults, as the API and `FAULTS` spell them. */
export const SLOW_QUERY = "slow_query";
export const POOL_OF_ONE = "pool_of_one";

/** What `GET /faults` lists. */
export const USER_FAULTS = [
  delayFault(SLOW_QUERY, {
    description: "every store call waits delay_ms ± jitter_ms inside its query span",
    delayMs: 300,
    jitterMs: 30,
  }),
  switchFault(POOL_OF_ONE, {
    description: "store calls run one at a time, so concurrent requests queue for the database",
  }),
] as const;
