import { DomainError } from '../../src/errors';
import {
  allowedStatuses,
  assertPaymentTransition,
  assertStatusTransition,
  nextStatusesFor,
  ORDER_STATUSES,
  PAID_PAYMENT_STATUSES,
  PAYMENT_STATUSES,
  paymentStatusForRefund,
  type OrderStatus,
  type PaymentStatus,
} from '../../src/orders/order-lifecycle';

/**
 * The lifecycle rules (orders/order-lifecycle.ts) called directly, every status against every other. The expected tables
 * are written out here, not imported, so that they are an independent oracle (lifecycle.test.ts checks the same rules
 * through the API, with history and stock).
 */
const STATUS_MOVES: Record<OrderStatus, OrderStatus[]> = {
  PENDING: ['PROCESSING', 'CANCELLED'],
  PROCESSING: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};
const PAYMENT_MOVES: Record<PaymentStatus, PaymentStatus[]> = {
  AWAITING_PAYMENT: ['PAID', 'PAYMENT_FAILED'],
  PAYMENT_FAILED: ['PAID'],
  PAID: ['PARTIALLY_REFUNDED', 'REFUNDED'],
  PARTIALLY_REFUNDED: ['REFUNDED'],
  REFUNDED: [],
};

/** What a move is allowed to: the table, less PROCESSING for an order not paid. */
function expectedStatuses(status: OrderStatus, paymentStatus: PaymentStatus): OrderStatus[] {
  return STATUS_MOVES[status].filter((to) => to !== 'PROCESSING' || paymentStatus === 'PAID');
}

function thrown(work: () => void): DomainError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError');
}

const every = ORDER_STATUSES.flatMap((status) => PAYMENT_STATUSES.map((paymentStatus) => ({ status, paymentStatus })));

test('the status and payment status lists', () => {
  expect([...ORDER_STATUSES]).toEqual(['PENDING', 'PROCESSING', 'SHIPPED', 'DELIVERED', 'CANCELLED']);
  expect([...PAYMENT_STATUSES]).toEqual(['AWAITING_PAYMENT', 'PAID', 'PAYMENT_FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED']);
  expect([...PAID_PAYMENT_STATUSES]).toEqual(['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED']);
});

describe('status moves', () => {
  test.each(every)('from $status with payment $paymentStatus: only the table, and PROCESSING only once paid', (order) => {
    const expected = expectedStatuses(order.status, order.paymentStatus);
    expect(allowedStatuses(order)).toEqual(expected);
    for (const to of ORDER_STATUSES) {
      if (expected.includes(to)) {
        expect(() => assertStatusTransition(order, to)).not.toThrow();
        continue;
      }
      const error = thrown(() => assertStatusTransition(order, to));
      expect(error.code).toBe('INVALID_TRANSITION');
      expect(error.details).toEqual({ from: order.status, to, allowed: expected });
      const reason = STATUS_MOVES[order.status].includes(to) ? ': an order is processed only once it is paid' : '';
      expect(error.message).toBe(
        `Cannot move order from ${order.status} to ${to}${reason}. Allowed next: ${expected.length ? expected.join(', ') : 'none'}.`,
      );
    }
  });

  test('the buttons: staff and above see the allowed moves, viewers and nobody see none', () => {
    const paidPending = { status: 'PENDING', paymentStatus: 'PAID' } as const;
    for (const role of ['STAFF', 'ADMIN', 'OWNER'] as const) expect(nextStatusesFor(paidPending, role)).toEqual(['PROCESSING', 'CANCELLED']);
    expect(nextStatusesFor(paidPending, 'VIEWER')).toEqual([]);
    expect(nextStatusesFor(paidPending, null)).toEqual([]);
    expect(nextStatusesFor({ status: 'PENDING', paymentStatus: 'AWAITING_PAYMENT' }, 'STAFF')).toEqual(['CANCELLED']);
  });
});

describe('payment moves', () => {
  test.each(every)('from $status with payment $paymentStatus, by a person and by the provider', (order) => {
    for (const to of PAYMENT_STATUSES) {
      const allowed = PAYMENT_MOVES[order.paymentStatus];
      const cancelledMarkedPaid = order.status === 'CANCELLED' && to === 'PAID' && order.paymentStatus !== 'PAID';
      for (const origin of ['MANUAL', 'PROVIDER'] as const) {
        if (origin === 'MANUAL' && cancelledMarkedPaid) {
          const error = thrown(() => assertPaymentTransition(order, to, origin));
          expect(error.code).toBe('INVALID_TRANSITION');
          expect(error.message).toBe('A cancelled order cannot be marked paid.');
          expect(error.details).toEqual({ from: order.paymentStatus, to, allowed: [] });
        } else if (allowed.includes(to)) {
          expect(() => assertPaymentTransition(order, to, origin)).not.toThrow();
        } else {
          const error = thrown(() => assertPaymentTransition(order, to, origin));
          expect(error.code).toBe('INVALID_TRANSITION');
          expect(error.details).toEqual({ from: order.paymentStatus, to, allowed });
          expect(error.message).toBe(
            `Cannot move payment from ${order.paymentStatus} to ${to}. Allowed next: ${allowed.length ? allowed.join(', ') : 'none'}.`,
          );
        }
      }
    }
  });

  test('a person is the default origin', () => {
    const cancelled = { status: 'CANCELLED', paymentStatus: 'AWAITING_PAYMENT' } as const;
    expect(() => assertPaymentTransition(cancelled, 'PAID')).toThrow('A cancelled order cannot be marked paid.');
    expect(() => assertPaymentTransition(cancelled, 'PAID', 'PROVIDER')).not.toThrow();
  });
});

test('the payment status a cumulative refund implies', () => {
  expect(paymentStatusForRefund(-1, 5_000)).toBe('PAID');
  expect(paymentStatusForRefund(0, 5_000)).toBe('PAID');
  expect(paymentStatusForRefund(1, 5_000)).toBe('PARTIALLY_REFUNDED');
  expect(paymentStatusForRefund(4_999, 5_000)).toBe('PARTIALLY_REFUNDED');
  expect(paymentStatusForRefund(5_000, 5_000)).toBe('REFUNDED');
  expect(paymentStatusForRefund(6_000, 5_000)).toBe('REFUNDED');
});
