/**
 * Orders behind a small interface the routes depend on, and its SQLite implementation, where
 * money is stored in cents.
 */
// node:sqlite is synchronous; the methods are async only to fit the interface PostgreSQL needs
// (and so that a throw becomes a rejection, as there).
// deno-lint-ignore-file require-await
import type { TracedDatabase } from "../lib/sqlite.ts";
import { fromCents, toCents, totalCents } from "./money.ts";
import type { NewOrder, Order, OrderChanges, OrderStatus } from "./order.ts";

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

/** A row of the orders table. */
interface OrderRow {
  id: number;
  username: string;
  item: string;
  quantity: number;
  unit_price_cents: number;
  total_cents: number;
  status: OrderStatus;
  created_at: string;
  updated_at: string;
}

const COLUMNS =
  "id, username, item, quantity, unit_price_cents, total_cents, status, created_at, updated_at";

/** Creates the table if needed (moving prices kept as REAL to cents) and returns the store. */
export function createOrderStore(db: TracedDatabase): OrderStore {
  db.exec(`CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    item TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS orders_by_username ON orders (username, id)`);
  migrateRealPrices(db);
  const get = (id: number) => {
    const row = db.get<OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE id = ?`, [id]);
    return row === undefined ? undefined : toOrder(row);
  };
  return {
    async create(order) {
      const now = new Date().toISOString();
      const unitPriceCents = cents(order.unit_price);
      const total = orderTotalCents(order.quantity, unitPriceCents);
      const row = db.get<{ id: number }>(
        `INSERT INTO orders (username, item, quantity, unit_price_cents, total_cents, status,
          created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id`,
        [order.username, order.item, order.quantity, unitPriceCents, total, now, now],
      );
      return {
        id: row!.id,
        ...order,
        total: fromCents(total),
        status: "pending",
        created_at: now,
        updated_at: now,
      };
    },
    async list({ username, limit, offset }) {
      const where = username === undefined ? "" : "WHERE username = ?";
      const filter = username === undefined ? [] : [username];
      const orders = db.all<OrderRow>(
        `SELECT ${COLUMNS} FROM orders ${where} ORDER BY id LIMIT ? OFFSET ?`,
        [...filter, limit, offset],
      ).map(toOrder);
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
      const unitPriceCents = cents(next.unit_price);
      const total = orderTotalCents(next.quantity, unitPriceCents);
      next.total = fromCents(total);
      next.updated_at = new Date().toISOString();
      const changed = db.run(
        `UPDATE orders SET username = ?, item = ?, quantity = ?, unit_price_cents = ?,
          total_cents = ?, status = ?, updated_at = ? WHERE id = ?`,
        [
          next.username,
          next.item,
          next.quantity,
          unitPriceCents,
          total,
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

function toOrder(row: OrderRow): Order {
  const { unit_price_cents, total_cents, ...rest } = row;
  return { ...rest, unit_price: fromCents(unit_price_cents), total: fromCents(total_cents) };
}

/** The routes validate amounts first; reaching these throws is a bug, not bad input. */
function cents(amount: number): number {
  const value = toCents(amount);
  if (value === undefined) {
    throw new RangeError(`Unit price ${amount} is not a whole number of cents`);
  }
  return value;
}

function orderTotalCents(quantity: number, unitPriceCents: number): number {
  const total = totalCents(quantity, unitPriceCents);
  if (total === undefined) {
    throw new RangeError(`Order total of ${quantity} x ${unitPriceCents} cents is out of range`);
  }
  return total;
}

/**
 * Databases written before prices moved to cents have `unit_price` and `total` as REAL: convert
 * them once, recomputing each total exactly from its quantity and unit price.
 */
function migrateRealPrices(db: TracedDatabase): void {
  if (!db.columns("orders").includes("unit_price")) return;
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(`ALTER TABLE orders ADD COLUMN unit_price_cents INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE orders ADD COLUMN total_cents INTEGER NOT NULL DEFAULT 0;
    UPDATE orders SET unit_price_cents = CAST(round(unit_price * 100) AS INTEGER);
    UPDATE orders SET total_cents = quantity * unit_price_cents;
    ALTER TABLE orders DROP COLUMN unit_price;
    ALTER TABLE orders DROP COLUMN total;`);
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
