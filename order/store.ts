/** Orders behind a small interface the routes depend on, and its SQLite implementation. */
// node:sqlite is synchronous; the methods are async only to fit the interface PostgreSQL needs
// (and so that a throw becomes a rejection, as there).
// deno-lint-ignore-file require-await
import type { TracedDatabase } from "../lib/sqlite.ts";
import { type NewOrder, type Order, type OrderChanges, orderTotal } from "./order.ts";

/** One page of orders. */
export interface OrderPage {
  orders: Order[];
  total: number;
}

/**
 * Storage of orders (SQLite here, PostgreSQL in `postgres_store.ts`). A promise resolves only
 * after the change is committed.
 */
export interface OrderStore {
  create(order: NewOrder): Promise<Order>;
  list(query: { username?: string; limit: number; offset: number }): Promise<OrderPage>;
  get(id: number): Promise<Order | undefined>;
  /** The updated order, or `undefined` when there is none. */
  update(id: number, changes: OrderChanges): Promise<Order | undefined>;
  /** Whether an order was deleted. */
  delete(id: number): Promise<boolean>;
}

/** The columns of an order, in the order of `Order`. */
export const ORDER_COLUMNS =
  "id, username, item, quantity, unit_price, total, status, created_at, updated_at";

/** Creates the table if needed and returns the store. */
export function createOrderStore(db: TracedDatabase): OrderStore {
  db.exec(`CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    item TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price REAL NOT NULL,
    total REAL NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS orders_by_username ON orders (username, id)`);
  const get = (id: number) =>
    db.get<Order>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = ?`, [id]);
  return {
    async create(order) {
      const now = new Date().toISOString();
      const total = orderTotal(order.quantity, order.unit_price);
      const row = db.get<{ id: number }>(
        `INSERT INTO orders (username, item, quantity, unit_price, total, status, created_at,
          updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id`,
        [order.username, order.item, order.quantity, order.unit_price, total, now, now],
      );
      return { id: row!.id, ...order, total, status: "pending", created_at: now, updated_at: now };
    },
    async list({ username, limit, offset }) {
      const where = username === undefined ? "" : "WHERE username = ?";
      const filter = username === undefined ? [] : [username];
      const orders = db.all<Order>(
        `SELECT ${ORDER_COLUMNS} FROM orders ${where} ORDER BY id LIMIT ? OFFSET ?`,
        [...filter, limit, offset],
      );
      const total = db.get<{ total: number }>(
        `SELECT COUNT(*) AS total FROM orders ${where}`,
        filter,
      )?.total ?? 0;
      return { orders, total };
    },
    get: async (id) => get(id),
    async update(id, changes) {
      const current = get(id);
      if (current === undefined) return undefined;
      const next = { ...current, ...definedOnly(changes) };
      next.total = orderTotal(next.quantity, next.unit_price);
      next.updated_at = new Date().toISOString();
      const changed = db.run(
        `UPDATE orders SET username = ?, item = ?, quantity = ?, unit_price = ?, total = ?,
          status = ?, updated_at = ? WHERE id = ?`,
        [
          next.username,
          next.item,
          next.quantity,
          next.unit_price,
          next.total,
          next.status,
          next.updated_at,
          id,
        ],
      );
      return changed === 0 ? undefined : next;
    },
    async delete(id) {
      return db.run("DELETE FROM orders WHERE id = ?", [id]) > 0;
    },
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
