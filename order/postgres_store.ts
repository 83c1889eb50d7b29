/** Orders in PostgreSQL, behind the same `OrderStore` interface as SQLite. */
import type { Migration, PostgresDatabase } from "../lib/postgres.ts";
import { type Order, ORDER_STATUSES } from "./order.ts";
import type { OrderStore } from "./store.ts";

/**
 * The orders schema, one entry per change; applied in order at start. Money is `NUMERIC`, exact to
 * the cent (as SQLite's integer cents are), and the total is computed by the database from the
 * same exact values; the routes keep amounts within `money.ts`'s ranges before they get here.
 */
export const ORDER_MIGRATIONS: readonly Migration[] = [{
  version: 1,
  sql: `CREATE TABLE IF NOT EXISTS orders (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username TEXT NOT NULL,
    item TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price NUMERIC(20, 2) NOT NULL CHECK (unit_price > 0),
    total NUMERIC(20, 2) NOT NULL,
    status TEXT NOT NULL CHECK (status IN (${ORDER_STATUSES.map((s) => `'${s}'`).join(", ")})),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX IF NOT EXISTS orders_by_username ON orders (username, id)`,
}];

/** The columns of an order, in the order of `Order`. */
const ORDER_COLUMNS =
  "id, username, item, quantity, unit_price, total, status, created_at, updated_at";

/** node-postgres returns BIGINT and NUMERIC as strings (exact), and TIMESTAMPTZ as `Date`. */
interface OrderRow {
  id: string;
  username: string;
  item: string;
  quantity: number;
  unit_price: string;
  total: string;
  status: Order["status"];
  created_at: Date;
  updated_at: Date;
}

const PAGE = `SELECT ${ORDER_COLUMNS} FROM orders ORDER BY id LIMIT $1 OFFSET $2`;
const PAGE_OF_USER =
  `SELECT ${ORDER_COLUMNS} FROM orders WHERE username = $1 ORDER BY id LIMIT $2 OFFSET $3`;
const COUNT = "SELECT COUNT(*) AS total FROM orders";
const COUNT_OF_USER = "SELECT COUNT(*) AS total FROM orders WHERE username = $1";

/** COUNT(*) is a BIGINT, so a string. */
interface Count {
  total: string;
}

/** Migrates the schema (under the database's migration lock) and returns the store. */
export async function createPostgresOrderStore(db: PostgresDatabase): Promise<OrderStore> {
  await db.migrate("orders", ORDER_MIGRATIONS);
  const byId = async (id: number) => {
    // An id beyond BIGINT is not an error of the database: there is simply no such order.
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await db.first<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [id]);
    return row === undefined ? undefined : toOrder(row);
  };
  return {
    async create(order) {
      const now = new Date();
      // Autocommit: the promise resolves once the row is committed, never before.
      const row = await db.first<OrderRow>(
        `INSERT INTO orders (username, item, quantity, unit_price, total, status, created_at,
          updated_at) VALUES ($1, $2, $3::integer, $4::numeric, round($3::integer * $4::numeric, 2),
          'pending', $5, $5)
          RETURNING ${ORDER_COLUMNS}`,
        [order.username, order.item, order.quantity, order.unit_price, now],
      );
      return toOrder(row!);
    },
    async list({ username, limit, offset }) {
      const [rows, count] = await Promise.all(
        username === undefined
          ? [db.query<OrderRow>(PAGE, [limit, offset]), db.first<Count>(COUNT)]
          : [
            db.query<OrderRow>(PAGE_OF_USER, [username, limit, offset]),
            db.first<Count>(COUNT_OF_USER, [username]),
          ],
      );
      return { orders: rows.map(toOrder), total: Number(count?.total ?? 0) };
    },
    get: byId,
    async update(id, changes) {
      if (!Number.isSafeInteger(id)) return undefined;
      // One statement: the total follows the stored values even when replicas update at once.
      const row = await db.first<OrderRow>(
        `UPDATE orders SET username = COALESCE($1, username), item = COALESCE($2, item),
          quantity = COALESCE($3::integer, quantity), unit_price = COALESCE($4::numeric, unit_price),
          status = COALESCE($5, status),
          total = round(COALESCE($3::integer, quantity) * COALESCE($4::numeric, unit_price), 2),
          updated_at = $6 WHERE id = $7 RETURNING ${ORDER_COLUMNS}`,
        [
          changes.username ?? null,
          changes.item ?? null,
          changes.quantity ?? null,
          changes.unit_price ?? null,
          changes.status ?? null,
          new Date(),
          id,
        ],
      );
      return row === undefined ? undefined : toOrder(row);
    },
    async delete(id) {
      if (!Number.isSafeInteger(id)) return false;
      return await db.run("DELETE FROM orders WHERE id = $1", [id]) > 0;
    },
  };
}

/** The API's shape; money becomes a number here only because `Order` still holds numbers. */
function toOrder(row: OrderRow): Order {
  return {
    id: Number(row.id),
    username: row.username,
    item: row.item,
    quantity: row.quantity,
    unit_price: Number(row.unit_price),
    total: Number(row.total),
    status: row.status,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
