import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { badInput, DomainError } from '../errors';
import type { Actor } from '../shared/actor';
import { pgArray, scopedSql, type SqlScope } from '../shared/sql';
import { StockMovement, type StockMovementReason } from './stock-movement.entity';

/**
 * Stock rules. Every change is a conditional UPDATE (never read-then-write) plus a row in the movement log, in the
 * caller's transaction. Products are locked in id order so two orders sharing products cannot deadlock.
 */
export interface StockLine {
  productId: string;
  quantity: number;
}

interface StockScope {
  em: EntityManager;
  brandId: string;
  actor: Actor;
}

/** INSUFFICIENT_STOCK naming the product and what is available (never below zero, even after an oversell). */
export function insufficientStock(productId: string, product: { stock: number; sku: string; name: string }, requested: number) {
  const available = Math.max(product.stock, 0);
  return new DomainError(
    'INSUFFICIENT_STOCK',
    `Not enough stock for ${product.name} (${product.sku}): ${requested} requested, ${available} available`,
    { productId, sku: product.sku, requested, available },
  );
}

/** Sums quantities per product and sorts by id: the lock order every reservation follows. */
function perProduct(lines: StockLine[]): [string, number][] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.quantity);
  return [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** What a sale took from one product: its stock after, and how many units (the lines summed). */
export interface StockTaken {
  productId: string;
  quantity: number;
  stockAfter: number;
}

/**
 * A sale's lines as the database's stock rule takes them: one per product, its quantities summed, in id order (the
 * order its rows are locked in), each with the id of its SALE movement. The rule itself is the function `take_stock`
 * (migration 20261206200000), which insert_order calls (order-writes.ts), so that the products are locked for one
 * statement and its commit rather than for a whole transaction: it locks the products in id order and, only when every
 * line can be served — never below zero unless `allowOversell` (a paid Stripe order) — decrements them all and logs one
 * SALE movement each. All or nothing: it answers a row per product taken, or none (a product is short or gone:
 * `stockShortfall` says which).
 */
export function stockSaleLines(lines: StockLine[]): { productIds: string; quantities: string; movementIds: string } {
  const totals = perProduct(lines);
  return {
    productIds: pgArray(totals.map(([productId]) => productId)),
    quantities: `{${totals.map(([, quantity]) => quantity).join(',')}}`,
    movementIds: pgArray(totals.map(() => uuidv7())),
  };
}

/** Why a sale took fewer products than it asked for: INSUFFICIENT_STOCK for the first one short, NOT_FOUND for one gone. */
export async function stockShortfall(scope: SqlScope, lines: StockLine[]): Promise<DomainError> {
  const totals = perProduct(lines);
  const rows = await scopedSql<{ id: string; stock: number; sku: string; name: string }>(
    scope,
    'select id, stock, sku, name from products where brand_id = ? and id = any(?::uuid[])',
    [pgArray(totals.map(([productId]) => productId))],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const [productId, quantity] of totals) {
    const product = byId.get(productId);
    if (!product) return new DomainError('NOT_FOUND', 'Product not found', { productId });
    if (product.stock < quantity) return insufficientStock(productId, product, quantity);
  }
  return new DomainError('INSUFFICIENT_STOCK', 'Not enough stock for this order');
}

/** Gives stock back (a cancelled or deleted order). */
export async function releaseStock(scope: StockScope, lines: StockLine[], orderId: string, note: string | null) {
  for (const [productId, quantity] of perProduct(lines)) {
    const updated = await scopedSql<{ stock: number }>(
      scope,
      `with target as (select id from products where brand_id = ? and id = ?)
       update products p set stock = p.stock + ?, updated_at = now() from target where p.id = target.id returning p.stock`,
      [productId, quantity],
    );
    // A product deleted since the order was placed has nothing to restock.
    if (updated.length === 1) logMovement(scope, productId, quantity, updated[0].stock, 'CANCELLATION', orderId, note);
  }
}

/** The most a product's stock can hold: the range of its `integer` column. */
export const MAX_STOCK = 2_147_483_647;

/** A manual correction by staff; refuses to take stock below zero or past MAX_STOCK (summed in bigint, so never overflowing). */
export async function adjustStock(scope: StockScope, productId: string, delta: number, reason: string): Promise<number> {
  const updated = await scopedSql<{ stock: number }>(
    scope,
    `with target as (select id from products where brand_id = ? and id = ?)
     update products p set stock = p.stock + ?, updated_at = now()
       from target where p.id = target.id and p.stock::bigint + ? between 0 and ${MAX_STOCK} returning p.stock`,
    [productId, delta, delta],
  );
  if (updated.length === 0) {
    const [current] = await scopedSql<{ stock: number; sku: string; name: string }>(
      scope,
      'select stock, sku, name from products where brand_id = ? and id = ?',
      [productId],
    );
    if (!current) throw new DomainError('NOT_FOUND', 'Product not found');
    if (delta > 0) {
      throw badInput('delta', `would take the stock of ${current.sku} (${current.stock}) past ${MAX_STOCK}`);
    }
    throw insufficientStock(productId, current, -delta);
  }
  logMovement(scope, productId, delta, updated[0].stock, 'ADJUSTMENT', null, reason);
  return updated[0].stock;
}

export function logMovement(
  scope: StockScope,
  productId: string,
  delta: number,
  stockAfter: number,
  reason: StockMovementReason,
  orderId: string | null,
  note: string | null = null,
) {
  scope.em.create(StockMovement, {
    brand: scope.brandId,
    product: productId,
    orderId,
    delta,
    stockAfter,
    reason,
    note,
    actorType: scope.actor.type,
    actorId: scope.actor.id,
    actorLabel: scope.actor.label,
  });
}
