import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, DomainError } from '../errors';
import type { Actor } from '../shared/actor';
import { scopedSql } from '../shared/sql';
import { StockMovement, type StockMovementReason } from './stock-movement.entity';

/**
 * Stock rules. Every change is a single conditional UPDATE (never read-then-write) plus a row in the movement log, in
 * the caller's transaction. Products are locked in id order so two orders sharing products cannot deadlock.
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

/**
 * Takes stock for every line or throws INSUFFICIENT_STOCK (naming the product and what is available) so that the
 * caller's transaction rolls back. With `allowOversell` (a paid Stripe order) the stock goes negative instead and the
 * oversold products are returned for the caller to flag.
 */
export async function reserveStock(
  scope: StockScope,
  lines: StockLine[],
  orderId: string,
  options: { allowOversell?: boolean } = {},
): Promise<{ oversold: { productId: string; sku: string; requested: number; available: number }[] }> {
  const oversold: { productId: string; sku: string; requested: number; available: number }[] = [];
  for (const [productId, quantity] of perProduct(lines)) {
    const updated = await scopedSql<{ stock: number }>(
      scope,
      `with target as (select id from products where brand_id = ? and id = ?)
       update products p set stock = p.stock - ?, updated_at = now()
         from target where p.id = target.id and p.stock >= ? returning p.stock`,
      [productId, quantity, quantity],
    );
    let stockAfter: number;
    if (updated.length === 1) {
      stockAfter = updated[0].stock;
    } else {
      const [current] = await scopedSql<{ stock: number; sku: string; name: string }>(
        scope,
        'select stock, sku, name from products where brand_id = ? and id = ? for update',
        [productId],
      );
      if (!current) throw new DomainError('NOT_FOUND', 'Product not found', { productId });
      if (!options.allowOversell) {
        throw insufficientStock(productId, current, quantity);
      }
      const [forced] = await scopedSql<{ stock: number }>(
        scope,
        `with target as (select id from products where brand_id = ? and id = ?)
         update products p set stock = p.stock - ?, updated_at = now() from target where p.id = target.id returning p.stock`,
        [productId, quantity],
      );
      stockAfter = forced.stock;
      oversold.push({ productId, sku: current.sku, requested: quantity, available: Math.max(current.stock, 0) });
    }
    logMovement(scope, productId, -quantity, stockAfter, 'SALE', orderId);
  }
  return { oversold };
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
