/** Pagination of list endpoints: `?limit=` (1 to 500, default 50) and `?offset=` (default 0). */
import { digitsSchema } from "./digits.ts";

/** The largest page a list endpoint returns. */
export const MAX_PAGE_SIZE = 500;

/** Query fields for pagination; extend it with a service's own filters. */
export const pagingFields = {
  limit: digitsSchema({ min: 1, max: MAX_PAGE_SIZE }).default(50),
  offset: digitsSchema({ min: 0 }).default(0),
};
