/** Users in PostgreSQL, behind the same `UserStore` interface as SQLite. */
import type { Migration, PostgresDatabase } from "../lib/postgres.ts";
import { DuplicateUserError, USER_COLUMNS, type UserStore } from "./store.ts";
import type { User } from "./user.ts";

/** The users schema, one entry per change; applied in order at start (see `migrate`). */
export const USER_MIGRATIONS: readonly Migration[] = [{
  version: 1,
  sql: `CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    full_name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
  )`,
}];

interface UserRow extends Omit<User, "created_at" | "updated_at"> {
  created_at: Date;
  updated_at: Date;
}

/** Migrates the schema (under the database's migration lock) and returns the store. */
export async function createPostgresUserStore(db: PostgresDatabase): Promise<UserStore> {
  await db.migrate("users", USER_MIGRATIONS);
  return {
    async create(user) {
      const now = new Date();
      try {
        // Autocommit: the promise resolves once the row is committed, never before.
        await db.run(
          `INSERT INTO users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $4)`,
          [user.username, user.email, user.full_name, now],
        );
      } catch (error) {
        // 23505 unique_violation: the primary key keeps usernames unique across replicas.
        if ((error as { code?: string }).code === "23505") {
          throw new DuplicateUserError(user.username);
        }
        throw error;
      }
      return { ...user, created_at: now.toISOString(), updated_at: now.toISOString() };
    },
    async list({ limit, offset }) {
      const [rows, count] = await Promise.all([
        db.query<UserRow>(
          `SELECT ${USER_COLUMNS} FROM users ORDER BY username LIMIT $1 OFFSET $2`,
          [limit, offset],
        ),
        db.first<{ total: string }>("SELECT COUNT(*) AS total FROM users"),
      ]);
      return { users: rows.map(toUser), total: Number(count?.total ?? 0) };
    },
    async get(username) {
      const row = await db.first<UserRow>(
        `SELECT ${USER_COLUMNS} FROM users WHERE username = $1`,
        [username],
      );
      return row === undefined ? undefined : toUser(row);
    },
    async update(username, changes) {
      // One statement, so two replicas changing different fields at once both keep their change.
      const row = await db.first<UserRow>(
        `UPDATE users SET email = COALESCE($1, email), full_name = COALESCE($2, full_name),
          updated_at = $3 WHERE username = $4 RETURNING ${USER_COLUMNS}`,
        [changes.email ?? null, changes.full_name ?? null, new Date(), username],
      );
      return row === undefined ? undefined : toUser(row);
    },
    async delete(username) {
      return await db.run("DELETE FROM users WHERE username = $1", [username]) > 0;
    },
  };
}

function toUser(row: UserRow): User {
  return {
    username: row.username,
    email: row.email,
    full_name: row.full_name,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
