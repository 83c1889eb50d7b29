/** Users behind a small interface the routes depend on, and its SQLite implementation. */
// node:sqlite is synchronous; the methods are async only to fit the interface PostgreSQL needs
// (and so that a throw becomes a rejection, as there).
// deno-lint-ignore-file require-await
import type { TracedDatabase } from "../lib/sqlite.ts";
import type { NewUser, User, UserChanges } from "./user.ts";

/** Raised when a username is taken. */
export class DuplicateUserError extends Error {
  constructor(username: string) {
    super(`User "${username}" already exists`);
    this.name = "DuplicateUserError";
  }
}

/** One page of users. */
export interface UserPage {
  users: User[];
  total: number;
}

/**
 * Storage of users (SQLite here, PostgreSQL in `postgres_store.ts`). A promise resolves only after
 * the change is committed.
 */
export interface UserStore {
  /** Throws `DuplicateUserError` when the username is taken. */
  create(user: NewUser): Promise<User>;
  list(page: { limit: number; offset: number }): Promise<UserPage>;
  get(username: string): Promise<User | undefined>;
  /** The updated user, or `undefined` when there is none. */
  update(username: string, changes: UserChanges): Promise<User | undefined>;
  /** Whether a user was deleted. */
  delete(username: string): Promise<boolean>;
}

/** The columns of a user, in the order of `User`. */
export const USER_COLUMNS = "username, email, full_name, created_at, updated_at";

/** Creates the table if needed and returns the store. */
export function createUserStore(db: TracedDatabase): UserStore {
  db.exec(`CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    full_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT`);
  const get = (username: string) =>
    db.get<User>(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`, [username]);
  return {
    async create(user) {
      const now = new Date().toISOString();
      try {
        db.run(
          `INSERT INTO users (${USER_COLUMNS}) VALUES (?, ?, ?, ?, ?)`,
          [user.username, user.email, user.full_name, now, now],
        );
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateUserError(user.username);
        throw error;
      }
      return { ...user, created_at: now, updated_at: now };
    },
    async list({ limit, offset }) {
      const users = db.all<User>(
        `SELECT ${USER_COLUMNS} FROM users ORDER BY username LIMIT ? OFFSET ?`,
        [limit, offset],
      );
      const total = db.get<{ total: number }>("SELECT COUNT(*) AS total FROM users")?.total ?? 0;
      return { users, total };
    },
    get: async (username) => get(username),
    async update(username, changes) {
      const changed = db.run(
        `UPDATE users SET email = COALESCE(?, email), full_name = COALESCE(?, full_name),
          updated_at = ? WHERE username = ?`,
        [changes.email ?? null, changes.full_name ?? null, new Date().toISOString(), username],
      );
      return changed === 0 ? undefined : get(username);
    },
    async delete(username) {
      return db.run("DELETE FROM users WHERE username = ?", [username]) > 0;
    },
  };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && /UNIQUE constraint failed/.test(error.message);
}
