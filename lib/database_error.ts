/** Database failures that are not the request's fault, as typed values the HTTP layer maps to 503. */

/** Why the database could not serve a query. */
export type DatabaseFailure = "unavailable" | "timeout";

/**
 * The database cannot be reached, refused the connection, dropped it mid-query, or cancelled a
 * statement that ran past its timeout. Retrying later may succeed, so it answers 503.
 */
export class DatabaseUnavailableError extends Error {
  readonly failure: DatabaseFailure;

  constructor(failure: DatabaseFailure, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "DatabaseUnavailableError";
    this.failure = failure;
  }
}
