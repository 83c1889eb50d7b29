/** Pagination of list endpoints: `?limit=` (1 to 500, default 50) and `?offset=` (default 0). */
import { z } from "zod";

/** The largest page a list endpoint returns. */
export const MAX_PAGE_SIZE = 500;

/** Query fields for pagination; extend it with a service's own filters. */
export const pagingFields = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};
