import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '../shared/actor';
import { parseId } from '../shared/ids';
import { pageRequest } from '../shared/pagination';
import type { RequestContext } from '../shared/request-context';
import { scopedSql } from '../shared/sql';
import { findOrderById, loadOrderItems } from './order.queries';

/**
 * The archive of deleted orders. Deleting an order (only a manual one that never received money, see deleteOrder)
 * removes it from every list, count and lookup, but not from history: in the same transaction the order as the read
 * model showed it (with its lines) is kept in `deleted_orders` with who deleted it, and its timeline stays in
 * `order_status_changes` under the same order id (that column has no foreign key, so nothing cascades). ADMINs read
 * both through `deletedOrders`. Rows are only ever inserted.
 */
export interface DeletedOrderRecord {
  id: string;
  orderId: string;
  number: string;
  deletedAt: Date;
  deletedBy: Actor;
  /** The order and its lines as the API showed them just before deletion. */
  order: unknown;
}

/** Keeps what an order looks like now; call in the deleting transaction, before the order row goes. */
export async function archiveOrder(tx: RequestContext, orderId: string): Promise<void> {
  const order = await findOrderById(tx, orderId);
  if (!order) return;
  const [items] = await loadOrderItems(tx, [orderId]);
  await scopedSql(
    tx,
    `insert into deleted_orders (brand_id, id, created_at, updated_at, order_id, number, snapshot, actor_type, actor_id,
        actor_label)
     values (?, ?, now(), now(), ?, ?, ?::jsonb, ?, ?, ?)`,
    [uuidv7(), orderId, order.number, JSON.stringify({ ...order, items }), tx.actor.type, tx.actor.id, tx.actor.label],
  );
}

/** The brand's deleted orders, most recently deleted first; `after` is the `id` of the last one of the previous page. */
export async function listDeletedOrders(
  ctx: RequestContext,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<DeletedOrderRecord[]> {
  const { size } = pageRequest({ first, after });
  const rows = await scopedSql(
    ctx,
    `select id, order_id, number, snapshot, created_at, actor_type, actor_id, actor_label from deleted_orders
      where brand_id = ?${after ? ' and id < ?' : ''} order by id desc limit ?`,
    after ? [parseId(after, 'after'), size] : [size],
  );
  return rows.map((r) => ({
    id: r.id,
    orderId: r.order_id,
    number: r.number,
    deletedAt: new Date(r.created_at),
    deletedBy: { type: r.actor_type, id: r.actor_id, label: r.actor_label },
    order: typeof r.snapshot === 'string' ? JSON.parse(r.snapshot) : r.snapshot,
  }));
}
