import { DomainError } from '../errors';
import { roleAtLeast, type Role } from '../users/user.entity';

/**
 * The order lifecycle as data: the one module that decides which status and payment changes are allowed.
 * Callers never assign `status` or `paymentStatus` themselves; they ask `assertStatusTransition` /
 * `assertPaymentTransition` and then record the change through order-history.ts in the same transaction.
 */
export const ORDER_STATUSES = ['PENDING', 'PROCESSING', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const PAYMENT_STATUSES = ['AWAITING_PAYMENT', 'PAID', 'PAYMENT_FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const STATUS_TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['PROCESSING', 'CANCELLED'],
  PROCESSING: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};

/** A failed payment may still succeed later (a retried card, a late SEPA debit). */
export const PAYMENT_TRANSITIONS: Record<PaymentStatus, readonly PaymentStatus[]> = {
  AWAITING_PAYMENT: ['PAID', 'PAYMENT_FAILED'],
  PAYMENT_FAILED: ['PAID'],
  PAID: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  PARTIALLY_REFUNDED: ['REFUNDED'],
  REFUNDED: [],
};

/** Statuses in which money was received (used by stats and by the delete rule). */
export const PAID_PAYMENT_STATUSES: readonly PaymentStatus[] = ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'];

export interface LifecycleState {
  status: OrderStatus;
  paymentStatus: PaymentStatus;
}

/** Guards beyond the table: each returns a reason when the move is not allowed now. */
const STATUS_GUARDS: Partial<Record<OrderStatus, (order: LifecycleState) => string | null>> = {
  PROCESSING: (order) => (order.paymentStatus === 'PAID' ? null : 'an order is processed only once it is paid'),
};

function statusBlockedReason(order: LifecycleState, to: OrderStatus): string | null {
  if (!STATUS_TRANSITIONS[order.status].includes(to)) return null;
  return STATUS_GUARDS[to]?.(order) ?? null;
}

/** The statuses this order may move to now, guards included. */
export function allowedStatuses(order: LifecycleState): OrderStatus[] {
  return STATUS_TRANSITIONS[order.status].filter((to) => statusBlockedReason(order, to) === null);
}

/** What the viewer may do now: nothing for read-only roles. Drives the dashboard's buttons. */
export function nextStatusesFor(order: LifecycleState, role: Role | null): OrderStatus[] {
  return roleAtLeast(role, 'STAFF') ? allowedStatuses(order) : [];
}

export function assertStatusTransition(order: LifecycleState, to: OrderStatus): void {
  const allowed = allowedStatuses(order);
  if (allowed.includes(to)) return;
  const reason = statusBlockedReason(order, to);
  const next = allowed.length ? allowed.join(', ') : 'none';
  throw new DomainError(
    'INVALID_TRANSITION',
    `Cannot move order from ${order.status} to ${to}${reason ? `: ${reason}` : ''}. Allowed next: ${next}.`,
    { from: order.status, to, allowed },
  );
}

/**
 * Who says the payment status changed: a person (markOrderPaid) or the payment provider (Stripe). The provider reports
 * facts — money that arrived for a cancelled order is still PAID, and can then be refunded — while a person may not
 * mark a cancelled order paid.
 */
export type PaymentOrigin = 'MANUAL' | 'PROVIDER';

export function assertPaymentTransition(order: LifecycleState, to: PaymentStatus, origin: PaymentOrigin = 'MANUAL'): void {
  const allowed = PAYMENT_TRANSITIONS[order.paymentStatus];
  if (origin === 'MANUAL' && order.status === 'CANCELLED' && to === 'PAID' && order.paymentStatus !== 'PAID') {
    throw new DomainError('INVALID_TRANSITION', 'A cancelled order cannot be marked paid.', {
      from: order.paymentStatus,
      to,
      allowed: [],
    });
  }
  if (allowed.includes(to)) return;
  throw new DomainError(
    'INVALID_TRANSITION',
    `Cannot move payment from ${order.paymentStatus} to ${to}. Allowed next: ${allowed.length ? allowed.join(', ') : 'none'}.`,
    { from: order.paymentStatus, to, allowed: [...allowed] },
  );
}

/** Payment status implied by a cumulative refunded amount (refund amounts are cumulative maxima, never added). */
export function paymentStatusForRefund(refunded: number, total: number): PaymentStatus {
  if (refunded <= 0) return 'PAID';
  return refunded >= total ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
}
