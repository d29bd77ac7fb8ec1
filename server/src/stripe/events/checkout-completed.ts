import type Stripe from 'stripe';
import { checkoutTargetsRead, completeCheckout } from '../../orders/order-payments';
import type { AddressData } from '../../orders/order.entity';
import { parseItems, readContract, type CheckoutLine } from '../checkout-contract';
import { aboutPayment, idOf, ignored, processed, type EventHandler, type PaymentKeys, type ReadAhead } from './handler';
import { applyParkedPayments, takeParkedPayments, takeParkedPaymentsRead } from './pending-payments';

function toAddress(details: Stripe.Checkout.Session.CollectedInformation.ShippingDetails | null | undefined): AddressData | null {
  const address = details?.address;
  if (!address?.line1 || !address.country) return null;
  return {
    name: details?.name ?? null,
    line1: address.line1,
    line2: address.line2 ?? null,
    city: address.city ?? '',
    postalCode: address.postal_code ?? '',
    region: address.state ?? null,
    country: address.country.toUpperCase(),
  };
}

function checkoutPayment(event: Stripe.Event, brandId: string | null): PaymentKeys | null {
  const session = event.data.object as Stripe.Checkout.Session;
  const contract = readContract(session.metadata, session.client_reference_id);
  if (session.mode !== 'payment' || !contract.ours || !brandId) return null;
  return { brandId, orderRef: contract.orderRef, paymentIntentId: idOf(session.payment_intent) };
}

/**
 * What a checkout reads first, sent with the delivery's claim: the order made for its reference and its products
 * (completeCheckout's read), then the payments parked for it. None when its items do not parse: the handler refuses it.
 */
function checkoutReads(scope: { brandId: string }, event: Stripe.Event): ReadAhead[] {
  const session = event.data.object as Stripe.Checkout.Session;
  const keys = checkoutPayment(event, scope.brandId);
  if (!keys?.orderRef) return [];
  let items: CheckoutLine[];
  try {
    items = parseItems(session.metadata?.items);
  } catch {
    return [];
  }
  return [
    checkoutTargetsRead(scope, { checkoutRef: keys.orderRef, items }),
    takeParkedPaymentsRead(scope.brandId, keys.orderRef, keys.paymentIntentId),
  ];
}

/** `checkout.session.completed`: the order for `order_ref`, created once with what Stripe charged. */
export const onCheckoutCompleted: EventHandler = aboutPayment(checkoutPayment, async (tx, event, brandId, reads) => {
  const session = event.data.object as Stripe.Checkout.Session;
  if (session.mode !== 'payment') return ignored(`a ${session.mode}-mode Checkout Session creates no order`);
  const contract = readContract(session.metadata, session.client_reference_id);
  if (!contract.ours) return ignored(contract.reason);
  if (!brandId) return ignored(`brand ${contract.brandId} does not exist`);
  const items = parseItems(session.metadata?.items);
  const paymentIntentId = idOf(session.payment_intent);
  const [targets, taken] = reads ?? [];
  const parked = await takeParkedPayments(tx, brandId, contract.orderRef, paymentIntentId, taken);
  const totals = session.total_details;
  const customer = session.customer_details;
  const { order, created } = await completeCheckout(tx, {
    checkoutRef: contract.orderRef,
    checkoutSessionId: session.id,
    paymentIntentId,
    currency: session.currency ?? '',
    amounts: {
      subtotal: session.amount_subtotal ?? 0,
      discount: totals?.amount_discount ?? 0,
      shipping: totals?.amount_shipping ?? 0,
      tax: totals?.amount_tax ?? 0,
      total: session.amount_total ?? 0,
    },
    customer: {
      email: customer?.email ?? session.customer_email ?? null,
      name: customer?.name ?? null,
      phone: customer?.phone ?? null,
    },
    shippingAddress: toAddress(session.collected_information?.shipping_details),
    items,
    paid: session.payment_status === 'paid' || session.payment_status === 'no_payment_required',
  }, targets);
  const early = applyParkedPayments(tx, order, parked);
  const what = created ? `Created order ${order.number}` : `Order ${order.number} already existed`;
  return processed(`${what} (${order.paymentStatus})${early ? `; applied ${early}` : ''}`);
}, checkoutReads);
