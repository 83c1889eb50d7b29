/** The order record and the validation of what clients send. */
import { z } from "zod";
import { digitsSchema } from "../lib/http/digits.ts";
import { plainText } from "../lib/http/plain_text.ts";
import { pagingFields } from "../lib/http/paging.ts";
import {
  formatCents,
  fromCents,
  MAX_UNIT_PRICE_CENTS,
  MIN_UNIT_PRICE_CENTS,
  toCents,
} from "./money.ts";

/** Where an order stands. */
export const ORDER_STATUSES = [
  "pending",
  "confirmed",
  "shipped",
  "delivered",
  "cancelled",
] as const;

/** One of `ORDER_STATUSES`. */
export type OrderStatus = typeof ORDER_STATUSES[number];

/** A stored order, as the API returns it. */
export interface Order {
  id: number;
  username: string;
  item: string;
  quantity: number;
  unit_price: number;
  total: number;
  status: OrderStatus;
  created_at: string;
  updated_at: string;
}

const username = z.string().min(1).max(64).superRefine(plainText);
const item = z.string().trim().min(1, "must not be empty").max(200).superRefine(plainText);
const quantity = z.number().int().min(1).max(1_000_000);
const unitPrice = z.number()
  .min(fromCents(MIN_UNIT_PRICE_CENTS), `expected at least ${formatCents(MIN_UNIT_PRICE_CENTS)}`)
  .max(fromCents(MAX_UNIT_PRICE_CENTS), `expected at most ${formatCents(MAX_UNIT_PRICE_CENTS)}`)
  .refine((value) => toCents(value) !== undefined, "expected at most two decimal places");

/** POST /orders body. */
export const newOrderSchema = z.strictObject({
  username,
  item,
  quantity,
  unit_price: unitPrice,
});

/** PUT /orders/:id body: any of the fields, at least one. */
export const orderChangesSchema = z.strictObject({
  username: username.optional(),
  item: item.optional(),
  quantity: quantity.optional(),
  unit_price: unitPrice.optional(),
  status: z.enum(ORDER_STATUSES).optional(),
}).refine(
  (changes) => Object.values(changes).some((value) => value !== undefined),
  "expected at least one of username, item, quantity, unit_price, status",
);

/** GET /orders query. */
export const orderQuerySchema = z.strictObject({
  ...pagingFields,
  username: username.optional(),
});

/** Order ids are positive integers written as plain decimal digits: not `0x10`, ` 1` or `1e1`. */
export const orderIdSchema = z.object({ id: digitsSchema({ min: 1 }) });

/** What POST /orders accepts. */
export type NewOrder = z.output<typeof newOrderSchema>;

/** What PUT /orders/:id accepts. */
export type OrderChanges = z.output<typeof orderChangesSchema>;
