import type Stripe from 'stripe';
import { applyPaymentResult, findOrderForPayment, orderForPaymentRead, type ReportedAmount } from '../../orders/order-payments';
import type { RequestContext } from '../../shared/request-context';
import { readContract } from '../checkout-contract';
import type { PendingPaymentResult } from '../pending-payment.entity';
import { aboutPayment, idOf, ignored, processed, type EventHandler, type Handled, type PaymentKeys } from './handler';
import { parkPayment } from './pending-payments';

async function applyPayment(
  tx: RequestContext,
  brandId: string,
  orderRef: string,
  paymentIntentId: string | null,
  result: PendingPaymentResult,
  eventId: string,
  note: string,
  reported: ReportedAmount,
  read: Record<string, any>[] | undefined,
): Promise<Handled> {
  const order = await findOrderForPayment(tx, { checkoutRef: orderRef, paymentIntentId }, read);
  if (order) {
    order.stripePaymentIntentId ??= paymentIntentId;
    const changed = applyPaymentResult(tx, order, result, note, reported);
    return processed(changed ? `Order ${order.number} → ${order.paymentStatus}` : `Order ${order.number} stays ${order.paymentStatus}`);
  }
  const park = parkPayment({
    key: paymentIntentId ?? `ref:${brandId}:${orderRef}`,
    brandId,
    orderRef,
    result,
    refunded: 0,
    eventId,
    paid: result === 'SUCCEEDED' ? reported : undefined,
  });
  return processed(`No order for ${orderRef} yet: payment ${result === 'SUCCEEDED' ? 'success' : 'failure'} kept for it`, park);
}

function sessionPayment(event: Stripe.Event, brandId: string | null): PaymentKeys | null {
  const session = event.data.object as Stripe.Checkout.Session;
  const contract = readContract(session.metadata, session.client_reference_id);
  return contract.ours && brandId ? { brandId, orderRef: contract.orderRef, paymentIntentId: idOf(session.payment_intent) } : null;
}

function intentPayment(event: Stripe.Event, brandId: string | null): PaymentKeys | null {
  const intent = event.data.object as Stripe.PaymentIntent;
  const contract = readContract(intent.metadata);
  return contract.ours && brandId ? { brandId, orderRef: contract.orderRef, paymentIntentId: intent.id } : null;
}

/** The order the payment is for (findOrderForPayment's read), sent with the delivery's claim. */
function orderRead(payment: (event: Stripe.Event, brandId: string | null) => PaymentKeys | null): EventHandler['firstReads'] {
  return (scope, event) => {
    const keys = payment(event, scope.brandId);
    const read = keys?.orderRef ? orderForPaymentRead(scope, { checkoutRef: keys.orderRef, paymentIntentId: keys.paymentIntentId }) : null;
    return read ? [read] : [];
  };
}

/** `checkout.session.async_payment_succeeded` / `…_failed`: a delayed method (SEPA…) settled. */
export function onSessionPayment(result: PendingPaymentResult): EventHandler {
  return aboutPayment(sessionPayment, async (tx, event, brandId, reads) => {
    const session = event.data.object as Stripe.Checkout.Session;
    const contract = readContract(session.metadata, session.client_reference_id);
    if (!contract.ours) return ignored(contract.reason);
    if (!brandId) return ignored(`brand ${contract.brandId} does not exist`);
    const note = result === 'SUCCEEDED' ? 'Delayed payment succeeded' : 'Delayed payment failed';
    const reported = { amount: session.amount_total, currency: session.currency };
    return applyPayment(tx, brandId, contract.orderRef, idOf(session.payment_intent), result, event.id, note, reported, reads?.[0]);
  }, orderRead(sessionPayment));
}

/** `payment_intent.succeeded` / `payment_intent.payment_failed`. */
export function onPaymentIntent(result: PendingPaymentResult): EventHandler {
  return aboutPayment(intentPayment, async (tx, event, brandId, reads) => {
    const intent = event.data.object as Stripe.PaymentIntent;
    const contract = readContract(intent.metadata);
    if (!contract.ours) return ignored(contract.reason);
    if (!brandId) return ignored(`brand ${contract.brandId} does not exist`);
    const failure = intent.last_payment_error?.message ?? intent.last_payment_error?.code;
    const note = result === 'SUCCEEDED' ? 'Payment succeeded' : `Payment failed${failure ? `: ${failure}` : ''}`;
    const reported = { amount: result === 'SUCCEEDED' ? intent.amount_received : intent.amount, currency: intent.currency };
    return applyPayment(tx, brandId, contract.orderRef, intent.id, result, event.id, note, reported, reads?.[0]);
  }, orderRead(intentPayment));
}
