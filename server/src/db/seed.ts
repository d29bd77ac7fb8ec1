import type { MikroORM } from '@mikro-orm/postgresql';
import { principalForUser } from '../auth/auth.service';
import { Brand } from '../brands/brand.entity';
import { createBrand } from '../brands/brand.service';
import { createDiscountCode } from '../discounts/discount.service';
import * as orders from '../orders/order.service';
import { recordRefund } from '../orders/order-payments';
import { createProduct } from '../products/product.service';
import { RequestContext } from '../shared/request-context';
import { pgArray } from '../shared/sql';
import { unscopedSql } from '../shared/unscoped-sql';
import { createUser } from '../users/user.service';

export const DEMO_PASSWORD = 'luneo-demo';
export const DEMO_USERS = [
  { email: 'owner@demo.luneo.test', role: 'OWNER', name: 'Camille Laurent' },
  { email: 'admin@demo.luneo.test', role: 'ADMIN', name: 'Hugo Marchand' },
  { email: 'staff@demo.luneo.test', role: 'STAFF', name: 'Léa Fontaine' },
  { email: 'viewer@demo.luneo.test', role: 'VIEWER', name: 'Noah Girard' },
] as const;

const PRODUCTS = [
  ['ML-BAG-001', 'Sac Lumière, calfskin, noir', 245000, 40],
  ['ML-BAG-002', 'Sac Lumière, calfskin, cognac', 245000, 25],
  ['ML-BAG-010', 'Pochette Soir, satin, ivoire', 98000, 60],
  ['ML-SLG-001', 'Carnet wallet, grained leather', 42000, 120],
  ['ML-SLG-002', 'Card holder, monogram', 28500, 200],
  ['ML-SCF-001', 'Carré 90, silk twill, "Jardin"', 49000, 90],
  ['ML-SCF-002', 'Carré 90, silk twill, "Nuit"', 49000, 75],
  ['ML-BLT-001', 'Belt, reversible, 32 mm', 61000, 80],
  ['ML-JWL-001', 'Bracelet Lien, gold-plated', 72000, 50],
  ['ML-JWL-002', 'Earrings Goutte, silver', 39000, 70],
  ['ML-FRG-001', 'Eau de parfum Lumière, 100 ml', 21500, 300],
  ['ML-TRV-001', 'Weekender 45, canvas and leather', 315000, 12],
] as const;

const CUSTOMERS = [
  ['amelie.dubois@example.com', 'Amélie Dubois', 'Paris', '75008', 'FR'],
  ['james.whitfield@example.co.uk', 'James Whitfield', 'London', 'W1S 1HN', 'GB'],
  ['sofia.rossi@example.it', 'Sofia Rossi', 'Milano', '20121', 'IT'],
  ['yuki.tanaka@example.jp', 'Yuki Tanaka', 'Tokyo', '150-0001', 'JP'],
  ['laura.becker@example.de', 'Laura Becker', 'München', '80331', 'DE'],
  ['olivia.martin@example.com', 'Olivia Martin', 'New York', '10022', 'US'],
  ['lucas.moreau@example.fr', 'Lucas Moreau', 'Lyon', '69002', 'FR'],
  ['isabel.garcia@example.es', 'Isabel García', 'Madrid', '28001', 'ES'],
  ['chloe.bernard@example.ch', 'Chloé Bernard', 'Genève', '1204', 'CH'],
  ['emma.lindqvist@example.se', 'Emma Lindqvist', 'Stockholm', '111 47', 'SE'],
] as const;

/** A small deterministic PRNG (mulberry32), so the demo data is the same on every machine. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** True when the database has no brand yet: demo data is only ever written into an empty database. */
export async function isEmpty(orm: MikroORM): Promise<boolean> {
  return (await orm.em.fork().count(Brand, {})) === 0;
}

/**
 * Seeds the demo brand "Maison Lumière" (EUR, 20% VAT included) with a catalog, discount codes, users of every role
 * and a few hundred orders spread over the last 120 days in every status, all made through the real services so
 * that numbering, stock, pricing and history are what the product itself would produce.
 */
export async function seedDemo(orm: MikroORM, options: { orders?: number } = {}) {
  const em = orm.em.fork();
  const brand = await createBrand(em, {
    slug: 'demo',
    name: 'Maison Lumière',
    currency: 'EUR',
    prefix: 'ML',
    taxRateBps: 2000,
    taxInclusive: true,
    shippingFlatRate: 1500,
    freeShippingThreshold: 50000,
  });
  const users = [];
  for (const u of DEMO_USERS) {
    users.push(await createUser(em, { brandSlug: 'demo', email: u.email, password: DEMO_PASSWORD, role: u.role, name: u.name }));
  }
  const ctx = RequestContext.create(orm.em as any, principalForUser(users[0]));
  const productIds: string[] = [];
  for (const [sku, name, price, stock] of PRODUCTS) {
    productIds.push((await createProduct(ctx, { sku, name, price, stock: stock * 20 })).id);
  }
  await createDiscountCode(ctx, { code: 'WELCOME10', percentOff: 10 });
  await createDiscountCode(ctx, { code: 'VIP50', amountOff: 5000, minimumSubtotal: 40000 });
  await createDiscountCode(ctx, { code: 'SUMMER25', percentOff: 25, validUntil: new Date(Date.now() - 30 * 86400_000) });

  const rand = random(42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)];
  const count = options.orders ?? 300;
  const now = Date.now();
  const backdated: { orderId: string; createdAt: Date }[] = [];
  for (let n = 0; n < count; n++) {
    const lines = 1 + Math.floor(rand() * 3);
    const [email, name, city, postalCode, country] = pick(CUSTOMERS);
    const staff = RequestContext.create(orm.em as any, principalForUser(pick(users.slice(0, 3))));
    const order = await orders.createOrder(staff, {
      items: Array.from({ length: lines }, () => ({
        productId: pick(productIds),
        quantity: 1 + Math.floor(rand() * 2),
        customization: rand() < 0.3 ? { monogram: name.split(' ').map((w) => w[0]).join('') } : null,
      })),
      customer: { email, name },
      shippingAddress: { name, line1: `${1 + Math.floor(rand() * 120)} rue du Faubourg`, city, postalCode, country },
      discountCode: rand() < 0.15 ? 'WELCOME10' : null,
    });
    // Walk the order along a realistic path; the newest orders are mostly still open.
    const age = rand();
    const roll = rand();
    if (roll < 0.08) {
      await orders.cancelOrder(staff, order.id, pick(['Customer changed their mind', 'Duplicate order', 'Address could not be verified']));
    } else if (roll < 0.18) {
      // left awaiting payment
    } else {
      await orders.markOrderPaid(staff, order.id, 'Paid by bank transfer');
      const stage = age < 0.15 ? 0 : roll < 0.3 ? 1 : roll < 0.5 ? 2 : 3;
      if (stage >= 1) await orders.updateOrderStatus(staff, order.id, 'PROCESSING');
      if (stage >= 2) {
        await orders.updateOrderStatus(staff, order.id, 'SHIPPED', null, `1Z${Math.floor(rand() * 1e10)}`);
      }
      if (stage >= 3) await orders.updateOrderStatus(staff, order.id, 'DELIVERED');
      if (stage >= 3 && rand() < 0.08) {
        const partial = rand() < 0.6;
        await recordRefund(staff, order.id, partial ? Math.floor(order.total.amount / 3) : order.total.amount, partial ? 'Partial refund: goodwill gesture' : 'Returned in full');
      }
    }
    // Spread creation over the last 120 days, newer orders more likely; history follows its order.
    backdated.push({ orderId: order.id, createdAt: new Date(now - Math.floor(Math.pow(rand(), 1.6) * 120 * 86400_000) - 3600_000) });
  }
  await backdate(orm, backdated);
  return { brand, users };
}

/**
 * Spreads the demo orders over the past: each order and its timeline move to its creation time, an entry every 5 hours.
 * The timeline is append-only (a trigger refuses updates), so this runs as the tables' owner with that trigger disabled
 * inside its own transaction: no other session ever sees it disabled. Unscoped: ALTER TABLE belongs to no brand.
 */
async function backdate(orm: MikroORM, orders: { orderId: string; createdAt: Date }[]) {
  const moves = [pgArray(orders.map((o) => o.orderId)), pgArray(orders.map((o) => o.createdAt.toISOString()))];
  await orm.em.fork().transactional(async (em) => {
    await unscopedSql(em, 'alter table order_status_changes disable trigger order_status_changes_append_only');
    await unscopedSql(
      em,
      `with moves as (select * from unnest(?::uuid[], ?::timestamptz[]) as m(order_id, at)),
            shifted as (
              select c.id, m.at + (row_number() over (partition by c.order_id order by c.created_at, c.id) - 1)
                                  * interval '5 hours' as at
                from order_status_changes c join moves m on m.order_id = c.order_id)
       update order_status_changes c set created_at = s.at from shifted s where c.id = s.id`,
      moves,
    );
    await unscopedSql(
      em,
      `with moves as (select * from unnest(?::uuid[], ?::timestamptz[]) as m(order_id, at))
       update orders o set created_at = m.at,
              updated_at = (select max(created_at) from order_status_changes where order_id = o.id),
              paid_at = case when paid_at is null then null else m.at + interval '5 hours' end,
              cancelled_at = case when cancelled_at is null then null else m.at + interval '5 hours' end
         from moves m where o.id = m.order_id`,
      moves,
    );
    await unscopedSql(em, 'alter table order_status_changes enable trigger order_status_changes_append_only');
  });
}
