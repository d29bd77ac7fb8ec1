import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../shared/actor';
import {
  assertPaymentTransition,
  assertStatusTransition,
  type OrderStatus,
  type PaymentOrigin,
  type PaymentStatus,
} from './order-lifecycle';
import type { Order } from './order.entity';
import { orderChangeLogOf } from './order-change-log';
import { OrderStatusChange, type StatusChangeKind } from './order-status-change.entity';

/** An order's parcel tracking: each part optional, recorded on the order and on the timeline entry that set it. */
export interface TrackingData {
  number: string | null;
  carrier: string | null;
  url: string | null;
}

/**
 * The only code that assigns an order's `status` or `paymentStatus`: each change is checked against order-lifecycle.ts
 * and recorded in the timeline by the same unit of work, so the two can never disagree.
 */
export function recordChange(
  em: EntityManager,
  actor: Actor,
  order: Order,
  kind: StatusChangeKind,
  change: { from?: string | null; to?: string | null; note?: string | null; tracking?: TrackingData | null },
): OrderStatusChange {
  const values = {
    brand: order.brand,
    order,
    kind,
    fromValue: change.from ?? null,
    toValue: change.to ?? null,
    note: change.note ?? null,
    trackingNumber: change.tracking?.number ?? null,
    trackingCarrier: change.tracking?.carrier ?? null,
    trackingUrl: change.tracking?.url ?? null,
    actorType: actor.type,
    actorId: actor.id,
    actorLabel: actor.label,
  };
  // An order of the transaction's change log (order-change-log.ts) keeps its entries there, as rows.
  const log = orderChangeLogOf(em);
  return log?.holds(order) ? log.insert<OrderStatusChange>('OrderStatusChange', values) : em.create(OrderStatusChange, values);
}

export function changeStatus(
  em: EntityManager,
  actor: Actor,
  order: Order,
  to: OrderStatus,
  note?: string | null,
  tracking?: TrackingData | null,
) {
  assertStatusTransition(order, to);
  const from = order.status;
  order.status = to;
  if (to === 'CANCELLED') order.cancelledAt = new Date();
  recordChange(em, actor, order, 'STATUS', { from, to, note, tracking });
}

export function changePaymentStatus(
  em: EntityManager,
  actor: Actor,
  order: Order,
  to: PaymentStatus,
  note?: string | null,
  origin: PaymentOrigin = 'MANUAL',
) {
  assertPaymentTransition(order, to, origin);
  const from = order.paymentStatus;
  order.paymentStatus = to;
  if (to === 'PAID' && !order.paidAt) order.paidAt = new Date();
  if (to === 'PAID' && origin === 'PROVIDER') order.providerPaidAt ??= new Date();
  recordChange(em, actor, order, 'PAYMENT', { from, to, note });
}
