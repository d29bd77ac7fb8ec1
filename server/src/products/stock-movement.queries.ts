import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../errors';
import type { Actor } from '../shared/actor';
import { parseId } from '../shared/ids';
import { decodeCursor, encodeCursor, pageRequest, toPage, type PageArgs } from '../shared/pagination';
import { scopedSql } from '../shared/sql';
import type { StockMovementReason } from './stock-movement.entity';

/** A product's stock history, newest first: the append-only movement log read straight from SQL. */
export interface StockMovementRecord {
  id: string;
  delta: number;
  stockAfter: number;
  reason: StockMovementReason;
  note: string | null;
  orderId: string | null;
  /** Null when the movement has no order, or its order was deleted since. */
  orderNumber: string | null;
  actor: Actor;
  createdAt: Date;
}

interface Scope {
  em: EntityManager;
  brandId: string;
}

/** Keyset-paginated on (created_at, id), newest first; another brand's product simply has no movements. */
export async function listStockMovements(scope: Scope, productId: string, args: Pick<PageArgs, 'first' | 'after'>) {
  const request = pageRequest({ first: args.first, after: args.after });
  const params: unknown[] = [parseId(productId, 'productId')];
  let position = '';
  if (request.cursor) {
    const [createdAt, id] = decodeCursor(request.cursor, 'after');
    if (typeof createdAt !== 'string' || Number.isNaN(new Date(createdAt).getTime()) || typeof id !== 'string') {
      throw badInput('after', 'is not a valid cursor');
    }
    position = 'and (m.created_at, m.id) < (?, ?)';
    params.push(new Date(createdAt), parseId(id, 'after'));
  }
  const rows = await scopedSql(
    scope,
    `select m.id, m.delta, m.stock_after, m.reason, m.note, m.order_id, o.number as order_number,
            m.actor_type, m.actor_id, m.actor_label, m.created_at
       from stock_movements m left join orders o on o.id = m.order_id and o.brand_id = m.brand_id
      where m.brand_id = ? and m.product_id = ? ${position}
      order by m.created_at desc, m.id desc limit ?`,
    [...params, request.size + 1],
  );
  const records: StockMovementRecord[] = rows.map((r) => ({
    id: r.id,
    delta: r.delta,
    stockAfter: r.stock_after,
    reason: r.reason,
    note: r.note,
    orderId: r.order_id,
    orderNumber: r.order_number,
    actor: { type: r.actor_type, id: r.actor_id, label: r.actor_label },
    createdAt: new Date(r.created_at),
  }));
  return toPage(records, request, (m) => encodeCursor([m.createdAt.toISOString(), m.id]));
}
