import { createHash } from 'node:crypto';
import { z } from 'zod';
import { audit } from '../audit/audit';
import { loadOrderHistory, loadOrderItems, findOrderById } from '../orders/order.queries';
import { orderSearchText } from '../orders/order-search';
import type { RequestContext } from '../shared/request-context';
import { pgArray, scopedSql } from '../shared/sql';
import { parseInput } from '../shared/validation';
import { ERASED_TEXT, Pseudonymiser } from './personal-text';
import { eraseStripeEvents, findCustomerStripeEvents } from './stripe-payloads';

/**
 * GDPR for one customer of one brand, found by email: an export of everything we hold about them (their orders with
 * items and timelines, and deleted orders' archived copies), and an erasure.
 *
 * Erasure replaces the person's data with a stable pseudonym — the same email always becomes the same
 * `erased-…@erased.invalid` within a brand, so accounting still sees that several orders had one buyer — and keeps
 * every amount, item, status, date and stat as it was:
 * - on each order: email → pseudonym, name → "Erased customer", phone → none, shipping address → street, city and
 *   postal code erased (the country stays: tax reporting needs it), search text rebuilt;
 * - free text on their orders — timeline notes and item customizations — has the email, names (and their words) and
 *   phones replaced (personal-text.ts). The timeline is append-only by trigger; its one exception is a transaction that
 *   sets `luneo.customer_erasure` (this function's only), which may rewrite an entry's note and nothing else of it;
 * - archived copies of deleted orders, the same way;
 * - stored Stripe events about them (payloads kept for replays): the person's fields wherever Stripe puts them
 *   (stripe-payloads.ts); amounts, ids and metadata stay, so a replay still finds its order;
 * - one audit entry (`customer.erase`, target: the pseudonym) with the counts. The audit log itself never held the
 *   values (audit.ts redacts them).
 * Everything happens in one transaction. `stripe_pending_payments` holds no personal data (ids, amounts, results).
 */
const EmailSchema = z.string().trim().toLowerCase().min(3, 'must be an email address').max(320, 'must be at most 320 characters').pipe(z.email('must be a valid email address'));

export const ERASED_NAME = 'Erased customer';

export function pseudonymFor(brandId: string, email: string): string {
  const digest = createHash('sha256').update(`${brandId}\n${email}`).digest('hex').slice(0, 20);
  return `erased-${digest}@erased.invalid`;
}

export interface CustomerDataExport {
  email: string;
  exportedAt: string;
  orders: unknown[];
  deletedOrders: unknown[];
  stripeEvents: unknown[];
}

export async function exportCustomerData(ctx: RequestContext, rawEmail: string): Promise<CustomerDataExport> {
  const email = parseInput(EmailSchema, rawEmail, 'email');
  const idRows = await scopedSql<{ id: string }>(
    ctx,
    'select id from orders where brand_id = ? and customer_email = ? order by created_at, id',
    [email],
  );
  const ids = idRows.map((r) => r.id);
  const [items, history] = await Promise.all([loadOrderItems(ctx, ids), loadOrderHistory(ctx, ids)]);
  const orders = [];
  for (const [i, id] of ids.entries()) {
    const order = await findOrderById(ctx, id);
    if (order) orders.push({ ...order, items: items[i], timeline: history[i] });
  }
  const deleted = await scopedSql(
    ctx,
    `select order_id, number, created_at, snapshot from deleted_orders
      where brand_id = ? and snapshot -> 'customer' ->> 'email' = ? order by created_at, id`,
    [email],
  );
  const deletedIds = deleted.map((d) => d.order_id as string);
  const deletedHistory = await loadOrderHistory(ctx, deletedIds);
  const stripeEvents = await findCustomerStripeEvents(ctx, email, ids, { forUpdate: false });
  return {
    email,
    exportedAt: new Date().toISOString(),
    orders,
    deletedOrders: deleted.map((d, i) => ({
      orderId: d.order_id,
      number: d.number,
      deletedAt: new Date(d.created_at).toISOString(),
      order: typeof d.snapshot === 'string' ? JSON.parse(d.snapshot) : d.snapshot,
      timeline: deletedHistory[i],
    })),
    stripeEvents: stripeEvents.map((e) => ({ eventId: e.eventId, type: e.type, receivedAt: e.receivedAt.toISOString(), payload: e.payload })),
  };
}

export interface ErasureResult {
  pseudonym: string;
  orderCount: number;
  timelineEntryCount: number;
  deletedOrderCount: number;
  itemCount: number;
  stripeEventCount: number;
}

function erasedAddress(address: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!address) return null;
  return { name: null, line1: ERASED_TEXT, line2: null, city: ERASED_TEXT, postalCode: ERASED_TEXT, region: null, country: address.country ?? null };
}

export async function eraseCustomerData(ctx: RequestContext, rawEmail: string): Promise<ErasureResult> {
  const email = parseInput(EmailSchema, rawEmail, 'email');
  return ctx.transaction(async (tx) => {
    const pseudonym = pseudonymFor(tx.brandId, email);
    const orders = await scopedSql(
      tx,
      `select id, number, customer_name, customer_phone, shipping_address from orders
        where brand_id = ? and customer_email = ? order by id for update`,
      [email],
    );
    const deleted = await scopedSql(
      tx,
      `select id, order_id, snapshot from deleted_orders where brand_id = ? and snapshot -> 'customer' ->> 'email' = ? for update`,
      [email],
    );
    // What identifies the person in free text: the email, and every name and phone given on their orders.
    const given: unknown[] = orders.flatMap((o) => [o.customer_name, o.customer_phone, o.shipping_address?.name]);
    const snapshots = deleted.map((d) => (typeof d.snapshot === 'string' ? JSON.parse(d.snapshot) : d.snapshot));
    for (const s of snapshots) given.push(s.customer?.name, s.customer?.phone, s.shippingAddress?.name);
    const pseudonymiser = new Pseudonymiser(email, pseudonym, given.filter((v): v is string => typeof v === 'string'));

    const orderIds = orders.map((o) => o.id as string);
    const items = await loadOrderItems(tx, orderIds);
    for (const [i, o] of orders.entries()) {
      await scopedSql(
        tx,
        `with target as (select id from orders where brand_id = ? and id = ?)
         update orders o set customer_email = ?, customer_name = ?, customer_phone = null, shipping_address = ?::jsonb,
             search_text = ? from target where o.id = target.id`,
        [
          o.id,
          pseudonym,
          ERASED_NAME,
          JSON.stringify(erasedAddress(o.shipping_address)),
          orderSearchText({ number: o.number, customerEmail: pseudonym, customerName: ERASED_NAME, lines: items[i] }),
        ],
      );
    }

    // The timeline's one exception to append-only (see the migration of the audit log): notes only, this transaction only.
    await scopedSql(tx, `select set_config('luneo.customer_erasure', 'on', true) from brands where id = ?`);
    const allOrderIds = [...orderIds, ...deleted.map((d) => d.order_id as string)];
    const notes = allOrderIds.length
      ? await scopedSql(
          tx,
          `select id, note from order_status_changes where brand_id = ? and order_id = any(?::uuid[]) and note is not null`,
          [pgArray(allOrderIds)],
        )
      : [];
    let timelineEntryCount = 0;
    for (const entry of notes) {
      const erased = pseudonymiser.text(entry.note);
      if (erased === entry.note) continue;
      await scopedSql(
        tx,
        `with target as (select id from order_status_changes where brand_id = ? and id = ?)
         update order_status_changes s set note = ? from target where s.id = target.id`,
        [entry.id, erased],
      );
      timelineEntryCount++;
    }
    await scopedSql(tx, `select set_config('luneo.customer_erasure', 'off', true) from brands where id = ?`);

    const itemCount = await eraseCustomizations(tx, orderIds, pseudonymiser);
    const stripeEvents = await findCustomerStripeEvents(tx, email, orderIds, { forUpdate: true });
    const stripeEventCount = await eraseStripeEvents(tx, stripeEvents, pseudonymiser, pseudonym);

    for (const [i, d] of deleted.entries()) {
      const snapshot = snapshots[i];
      // Items and notes of the copy are free text too; the customer fields are replaced outright.
      const erased = {
        ...(pseudonymiser.json(snapshot) as Record<string, unknown>),
        customer: { ...snapshot.customer, email: pseudonym, name: ERASED_NAME, phone: null },
        shippingAddress: erasedAddress(snapshot.shippingAddress ?? null),
      };
      await scopedSql(
        tx,
        `with target as (select id from deleted_orders where brand_id = ? and id = ?)
         update deleted_orders d set snapshot = ?::jsonb from target where d.id = target.id`,
        [d.id, JSON.stringify(erased)],
      );
    }

    const result = { pseudonym, orderCount: orders.length, timelineEntryCount, deletedOrderCount: deleted.length, itemCount, stripeEventCount };
    audit(tx, {
      action: 'customer.erase',
      targetType: 'CUSTOMER',
      targetId: pseudonym,
      before: {},
      after: {
        orders: result.orderCount,
        timelineEntries: timelineEntryCount,
        deletedOrders: result.deletedOrderCount,
        items: itemCount,
        stripeEvents: stripeEventCount,
      },
    });
    return result;
  });
}

/** Item customizations (free JSON the customer filled in, e.g. an engraving) with the person's data replaced. */
async function eraseCustomizations(tx: RequestContext, orderIds: string[], pseudonymiser: Pseudonymiser): Promise<number> {
  if (orderIds.length === 0) return 0;
  const items = await scopedSql(
    tx,
    `select id, customization from order_items where brand_id = ? and order_id = any(?::uuid[]) and customization is not null`,
    [pgArray(orderIds)],
  );
  let changed = 0;
  for (const item of items) {
    const customization = typeof item.customization === 'string' ? JSON.parse(item.customization) : item.customization;
    const erased = pseudonymiser.json(customization);
    if (JSON.stringify(erased) === JSON.stringify(customization)) continue;
    await scopedSql(
      tx,
      `with target as (select id from order_items where brand_id = ? and id = ?)
       update order_items i set customization = ?::jsonb from target where i.id = target.id`,
      [item.id, JSON.stringify(erased)],
    );
    changed++;
  }
  return changed;
}
