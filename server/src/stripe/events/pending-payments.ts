import { v7 as uuidv7 } from 'uuid';
import type { Order } from '../../orders/order.entity';
import { applyPaymentResult, applyReportedRefund, type ReportedAmount } from '../../orders/order-payments';
import { formatMoney } from '../../shared/money';
import type { RequestContext } from '../../shared/request-context';
import { unscopedSql } from '../../shared/unscoped-sql';
import type { PendingPaymentResult } from '../pending-payment.entity';
import { stripeActor, type HandlerWrite } from './handler';

/**
 * Payment results and refunds that arrive before their order exists, parked in `stripe_pending_payments` and applied
 * when the checkout creates the order. A refund can arrive before Stripe has told us whose payment it is, so a parked
 * row may have no brand yet: its statements are unscoped and keyed by the PaymentIntent. A handler returns the parking
 * write with its outcome (handler.ts), and the delivery runs it in the statement that records it.
 */
export function parkPayment(data: {
    key: string;
    brandId: string | null;
    orderRef: string | null;
    result: PendingPaymentResult | null;
    refunded: number;
    eventId: string;
    /** What a success or a refunded charge says was paid. */
  paid?: ReportedAmount;
}): HandlerWrite {
  return {
    sql: `insert into stripe_pending_payments (id, created_at, updated_at, payment_intent_id, brand_id, order_ref, result,
        refunded_amount, last_event_id, amount, currency)
     values (?, now(), now(), ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (payment_intent_id) do update set
        brand_id = coalesce(stripe_pending_payments.brand_id, excluded.brand_id),
        order_ref = coalesce(stripe_pending_payments.order_ref, excluded.order_ref),
        result = case when 'SUCCEEDED' in (stripe_pending_payments.result, excluded.result) then 'SUCCEEDED'
                      else coalesce(excluded.result, stripe_pending_payments.result) end,
        refunded_amount = greatest(stripe_pending_payments.refunded_amount, excluded.refunded_amount),
        last_event_id = excluded.last_event_id,
        amount = coalesce(excluded.amount, stripe_pending_payments.amount),
        currency = coalesce(excluded.currency, stripe_pending_payments.currency),
        updated_at = now()`,
    params: [
      uuidv7(),
      data.key,
      data.brandId,
      data.orderRef,
      data.result,
      data.refunded,
      data.eventId,
      data.paid?.amount ?? null,
      data.paid?.currency ?? null,
    ],
  };
}

/** A parked payment result or refund, taken out of `stripe_pending_payments` to be applied to its order. */
export interface ParkedPayment {
  payment_intent_id: string;
  result: PendingPaymentResult | null;
  refunded_amount: string;
  last_event_id: string;
  amount: string | null;
  currency: string | null;
  created_at: Date;
}

/**
 * Takes (deletes, returning them) the payment results and refunds parked for a checkout, oldest first: one statement,
 * run before the order is created so that the brand's numbering row is not held through it. The caller's transaction
 * either applies them to the order or rolls back and leaves them parked. `taken`: the rows of takeParkedPaymentsRead
 * when the caller already sent it in this transaction (a delivery, in its claim's message).
 */
export async function takeParkedPayments(
  tx: RequestContext,
  brandId: string,
  orderRef: string,
  paymentIntentId: string | null,
  taken?: Record<string, any>[],
): Promise<ParkedPayment[]> {
  const read = takeParkedPaymentsRead(brandId, orderRef, paymentIntentId);
  const rows = (taken ?? (await unscopedSql(tx.em, read.sql, read.params))) as ParkedPayment[];
  return rows.sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime());
}

/** takeParkedPayments' statement, not run (unscoped: parked rows are keyed by PaymentIntent, some without a brand). */
export function takeParkedPaymentsRead(brandId: string, orderRef: string, paymentIntentId: string | null): HandlerWrite {
  return {
    sql: `delete from stripe_pending_payments
      where payment_intent_id = ? or (brand_id = ? and order_ref = ?)
      returning payment_intent_id, result, refunded_amount, last_event_id, amount, currency, created_at`,
    params: [paymentIntentId ?? '', brandId, orderRef],
  };
}

/** Applies payment results and refunds that arrived before the order existed (taken by takeParkedPayments). */
export function applyParkedPayments(tx: RequestContext, order: Order, rows: ParkedPayment[]): string | null {
  const applied: string[] = [];
  for (const row of rows) {
    const as = tx.withActor(stripeActor(row.last_event_id));
    if (!row.payment_intent_id.startsWith('ref:')) order.stripePaymentIntentId ??= row.payment_intent_id;
    if (row.result) {
      const note = `Payment ${row.result === 'SUCCEEDED' ? 'succeeded' : 'failed'} (reported before the checkout completed)`;
      const paid = { amount: row.amount === null ? null : Number(row.amount), currency: row.currency };
      if (applyPaymentResult(as, order, row.result, note, row.result === 'SUCCEEDED' ? paid : null)) applied.push(`an early payment ${row.result.toLowerCase()}`);
    }
    const refunded = Number(row.refunded_amount);
    if (refunded > 0) {
      const note = `Refunded ${formatMoney(refunded, order.currency)} in total (reported before the checkout completed)`;
      applyReportedRefund(as, order, refunded, note);
      applied.push('an early refund');
    }
  }
  return applied.length ? applied.join(', ') : null;
}
