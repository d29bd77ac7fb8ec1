import type Stripe from 'stripe';
import { onChargeRefunded } from './charge-refunded';
import { onCheckoutCompleted } from './checkout-completed';
import type { EventHandler } from './handler';
import { onPaymentIntent, onSessionPayment } from './payment-result';
import { onSubscription } from './subscription';

/**
 * The Stripe event types this app acts on. Anything else is acknowledged and recorded as IGNORED. To handle a new type,
 * write its handler beside these and add one line here (and enable the type on the webhook endpoint).
 */
export const EVENT_HANDLERS: Partial<Record<Stripe.Event.Type, EventHandler>> = {
  'checkout.session.completed': onCheckoutCompleted,
  'checkout.session.async_payment_succeeded': onSessionPayment('SUCCEEDED'),
  'checkout.session.async_payment_failed': onSessionPayment('FAILED'),
  'payment_intent.succeeded': onPaymentIntent('SUCCEEDED'),
  'payment_intent.payment_failed': onPaymentIntent('FAILED'),
  'charge.refunded': onChargeRefunded,
  'customer.subscription.created': onSubscription,
  'customer.subscription.updated': onSubscription,
  'customer.subscription.deleted': onSubscription,
};
