import type Stripe from 'stripe';
import { applyPaymentResult, applyReportedRefund, findOrderForPayment, orderForPaymentRead } from '../../orders/order-payments';
import { formatMoney } from '../../shared/money';
import { brandOfPaymentIntent } from '../brand-resolution';
import { CHECKOUT_APP } from '../checkout-contract';
import { aboutPayment, BrandResolvedLate, idOf, ignored, processed, type EventHandler, type PaymentKeys } from './handler';
import { parkPayment } from './pending-payments';

/** A charge names only its PaymentIntent. */
function chargePayment(event: Stripe.Event): PaymentKeys | null {
  const charge = event.data.object as Stripe.Charge;
  const paymentIntentId = idOf(charge.payment_intent);
  if (!paymentIntentId || (charge.metadata?.app && charge.metadata.app !== CHECKOUT_APP)) return null;
  return { brandId: null, orderRef: null, paymentIntentId };
}

/** `charge.refunded`: the cumulative amount refunded on a PaymentIntent (the maximum seen wins). */
export const onChargeRefunded: EventHandler = aboutPayment(chargePayment, async (tx, event, brandId, reads) => {
  const charge = event.data.object as Stripe.Charge;
  const paymentIntentId = idOf(charge.payment_intent);
  if (!paymentIntentId) return ignored('the charge has no PaymentIntent');
  if (charge.metadata?.app && charge.metadata.app !== CHECKOUT_APP) return ignored(`metadata.app is not "${CHECKOUT_APP}"`);
  const refunded = charge.amount_refunded;
  // The charge's amount is what was paid, checked against the order's total like any payment.
  const paid = { amount: charge.amount, currency: charge.currency };
  if (!brandId) {
    // The order may have been committed while this event waited for the lock: resolve the brand again.
    if (await brandOfPaymentIntent(tx.em, paymentIntentId)) throw new BrandResolvedLate();
    const park = parkPayment({ key: paymentIntentId, brandId: null, orderRef: null, result: 'SUCCEEDED', refunded, eventId: event.id, paid });
    return processed(`No order for ${paymentIntentId} yet: refund kept for it`, park);
  }
  const order = await findOrderForPayment(tx, { paymentIntentId }, reads?.[0]);
  if (!order) {
    const orderRef = charge.metadata?.order_ref ?? null;
    const park = parkPayment({ key: paymentIntentId, brandId, orderRef, result: 'SUCCEEDED', refunded, eventId: event.id, paid });
    return processed(`No order for ${paymentIntentId} yet: refund kept for it`, park);
  }
  // A refunded charge was paid: a refund that overtakes its payment's success event first records the payment.
  applyPaymentResult(tx, order, 'SUCCEEDED', 'Payment succeeded (seen through its refund)', paid);
  const before = order.refundedTotal;
  applyReportedRefund(tx, order, refunded, `Refunded ${formatMoney(refunded, order.currency)} in total`);
  return processed(
    order.refundedTotal === before
      ? `Order ${order.number}: refund of ${refunded} already recorded (${before} in total)`
      : `Order ${order.number} → ${order.paymentStatus} (${order.refundedTotal} refunded)`,
  );
}, (scope, event) => {
  const read = orderForPaymentRead(scope, { paymentIntentId: chargePayment(event)?.paymentIntentId });
  return read ? [read] : [];
});
