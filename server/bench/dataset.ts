import { MikroORM } from '@mikro-orm/postgresql';
import { principalForUser } from '../src/auth/auth.service';
import { createBrand } from '../src/brands/brand.service';
import { migrate } from '../src/db/database';
import { ormConfig } from '../src/db/orm-config';
import { createProduct } from '../src/products/product.service';
import { RequestContext } from '../src/shared/request-context';
import { createUser } from '../src/users/user.service';

/**
 * The benchmark's data: one big brand of `orders` orders (EUR) and 49 small brands sharing four times as many (EUR and
 * USD, unevenly sized), so that every index holds mostly other brands' rows, as it will in production. About three
 * items and exactly three timeline entries per order, a status and payment mix of a shop that has run for two years,
 * orders spread evenly over those two years. Written set-based in SQL (seconds per million rows, where the services
 * would take hours); the derived data the services maintain — search text, brand counters — is written to match.
 *
 * Bump GENERATOR_VERSION when the generated data changes: a database built by another version is rebuilt.
 */
const GENERATOR_VERSION = 1;
export const SMALL_BRANDS = 49;
export const BENCH_PASSWORD = 'bench-password';
export const BIG_BRAND_SLUG = 'bench-big';
export const QUIET_BRAND_SLUG = 'bench-small-01';
const PRODUCTS_PER_BRAND = 12;
const sku = (p: number) => `SKU-${String(p).padStart(2, '0')}`;
/** The same prices as the SQL below: 990 + (p × 1337) mod 9000 minor units. */
const price = (p: number) => 990 + ((p * 1_337) % 9_000);

export interface Dataset {
  orders: number;
  bigBrand: { id: string; slug: string; ownerEmail: string; productIds: string[] };
  quietBrand: { id: string; slug: string; adminEmail: string };
  /** Whether this run built it (and so just wrote the whole database). */
  builtNow: boolean;
}

/** Builds the dataset unless the database already holds this very one (same order count and generator). */
export async function ensureDataset(
  url: string,
  options: { orders: number; rebuild: boolean; ownsDatabase: boolean; log: (line: string) => void },
): Promise<Dataset> {
  const orm = await MikroORM.init(ormConfig(url, { pool: { min: 0, max: 4 }, logger: () => undefined }, { statementTimeoutMs: 0 }));
  try {
    const conn = orm.em.getConnection();
    const [marker] = await conn.execute(`select to_regclass('bench_dataset') is not null as present`);
    const built = marker.present ? (await conn.execute(`select orders, generator from bench_dataset`))[0] : undefined;
    if (!options.rebuild && built && built.orders === options.orders && built.generator === GENERATOR_VERSION) {
      await migrate(orm);
      options.log(`Reusing the benchmark database (${options.orders.toLocaleString('en')} orders in the big brand; --rebuild rebuilds it)`);
      return { ...(await describe(orm, options.orders)), builtNow: false };
    }
    const [tables] = await conn.execute(`select count(*)::int as n from pg_tables where schemaname = 'public'`);
    // A database someone else named (DATABASE_URL) is wiped only on request; the embedded one is the benchmark's own.
    if (!built && tables.n > 0 && !options.rebuild && !options.ownsDatabase) {
      throw new Error('This database has tables but no benchmark data: point DATABASE_URL at an empty database, or pass --rebuild to wipe it.');
    }
    // Empties the schema (pg_stat_statements lives in it too and comes back with it).
    await conn.execute('drop schema public cascade');
    await conn.execute('create schema public');
    await conn.execute('create extension if not exists pg_stat_statements').catch(() => undefined);
    await migrate(orm);
    const started = Date.now();
    await build(orm, options.orders, options.log);
    await conn.execute(`create table bench_dataset (orders int not null, generator int not null, built_at timestamptz not null default now())`);
    await conn.execute(`insert into bench_dataset (orders, generator) values (?, ?)`, [options.orders, GENERATOR_VERSION]);
    options.log(`Built the benchmark database in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { ...(await describe(orm, options.orders)), builtNow: true };
  } finally {
    await orm.close(true);
  }
}

async function describe(orm: MikroORM, orders: number): Promise<Omit<Dataset, 'builtNow'>> {
  const conn = orm.em.getConnection();
  const [big] = await conn.execute(`select id from brands where slug = ?`, [BIG_BRAND_SLUG]);
  const [quiet] = await conn.execute(`select id from brands where slug = ?`, [QUIET_BRAND_SLUG]);
  const products = await conn.execute(`select id from products where brand_id = ? order by sku`, [big.id]);
  return {
    orders,
    bigBrand: { id: big.id, slug: BIG_BRAND_SLUG, ownerEmail: `owner@${BIG_BRAND_SLUG}.test`, productIds: products.map((p: any) => p.id) },
    quietBrand: { id: quiet.id, slug: QUIET_BRAND_SLUG, adminEmail: `admin@${QUIET_BRAND_SLUG}.test` },
  };
}

async function build(orm: MikroORM, orders: number, log: (line: string) => void) {
  const em = orm.em.fork();
  // Brands, people and products through the services (a few hundred rows): passwords hashed, initial stock recorded.
  const plan: { slug: string; orders: number }[] = [{ slug: BIG_BRAND_SLUG, orders }];
  const smallTotal = orders * 4;
  // Uneven sizes (weights 1..49), as real brands are; every small brand has at least one order.
  const weightSum = (SMALL_BRANDS * (SMALL_BRANDS + 1)) / 2;
  for (let i = 1; i <= SMALL_BRANDS; i++) {
    plan.push({ slug: `bench-small-${String(i).padStart(2, '0')}`, orders: Math.max(1, Math.round((smallTotal * i) / weightSum)) });
  }
  log(`Creating ${plan.length} brands with ${PRODUCTS_PER_BRAND} products each…`);
  for (const [index, brand] of plan.entries()) {
    const big = index === 0;
    await createBrand(em, {
      slug: brand.slug,
      name: big ? 'Bench Big' : `Bench Small ${index}`,
      currency: big || index % 2 === 0 ? 'EUR' : 'USD',
      prefix: big ? 'BN' : `S${index}`,
    });
    // People only where the scenarios sign in: the big brand's owner and the flood scenario's other brand.
    if (!big && brand.slug !== QUIET_BRAND_SLUG) continue;
    const user = await createUser(em, {
      brandSlug: brand.slug,
      email: `${big ? 'owner' : 'admin'}@${brand.slug}.test`,
      password: BENCH_PASSWORD,
      role: big ? 'OWNER' : 'ADMIN',
    });
    if (!big) continue;
    const ctx = RequestContext.create(orm.em as any, principalForUser(user));
    for (let p = 1; p <= PRODUCTS_PER_BRAND; p++) {
      await createProduct(ctx, { sku: sku(p), name: `Product ${p}`, price: price(p), stock: 10_000_000 });
    }
  }
  // The small brands' catalogs in two statements, with the initial stock movement createProduct would record.
  const knex = orm.em.getConnection().getKnex();
  await knex.raw(
    `insert into products (id, created_at, updated_at, brand_id, sku, name, price, stock)
     select gen_random_uuid(), now(), now(), b.id, 'SKU-' || lpad(p::text, 2, '0'), 'Product ' || p, 990 + (p * 1337) % 9000, 10000000
       from brands b cross join generate_series(1, ?) p where b.slug like 'bench-small-%'`,
    [PRODUCTS_PER_BRAND],
  );
  await knex.raw(
    `insert into stock_movements (id, created_at, updated_at, brand_id, product_id, delta, stock_after, reason, actor_type, actor_label)
     select gen_random_uuid(), p.created_at, p.created_at, p.brand_id, p.id, p.stock, p.stock, 'INITIAL', 'SYSTEM', 'Benchmark'
       from products p join brands b on b.id = p.brand_id where b.slug like 'bench-small-%'`,
  );
  await generateOrders(orm, plan, log);
}

/**
 * Orders, items and timeline for every brand of the plan in three INSERT … SELECT statements. Each order's lines are
 * a pure function of (brand, seq), so the order's totals and search text are computed from the same lines the item
 * insert writes.
 *
 * The mix, by (seq × 7919) mod 100: 60% delivered and paid, 10% shipped, 8% processing, 7% awaiting payment, 2% failed
 * payments, 6% cancelled before payment, 3% cancelled and refunded, 3% delivered and partly refunded, 1% delivered and
 * refunded. Sources: 70% Stripe Checkout, 20% dashboard, 10% API.
 */
export async function generateOrders(orm: MikroORM, plan: { slug: string; orders: number }[], log: (line: string) => void) {
  const knex = orm.em.getConnection().getKnex();
  await knex.transaction(async (trx) => {
    await trx.raw('set local statement_timeout = 0');
    await trx.raw('set local synchronous_commit = off');
    await trx.raw(`create temporary table bench_plan (slug text primary key, orders int not null) on commit drop`);
    await trx.raw(`insert into bench_plan select * from jsonb_to_recordset(?::jsonb) as p(slug text, orders int)`, [JSON.stringify(plan)]);
    await trx.raw(
      `create temporary table bench_products on commit drop as
         select p.brand_id, (row_number() over (partition by p.brand_id order by p.sku) - 1)::int as idx, p.id, p.sku, p.name, p.price
           from products p join brands b on b.id = p.brand_id join bench_plan bp on bp.slug = b.slug`,
    );
    await trx.raw(`create index on bench_products (brand_id, idx)`);
    // One row per order line: 2, 3 or 4 lines per order (3 on average), quantities 1–2.
    await trx.raw(
      `create temporary table bench_lines on commit drop as
         select b.id as brand_id, g as seq, l as position, pr.id as product_id, pr.sku, pr.name, pr.price as unit_price,
                1 + (g + l) % 2 as quantity
           from bench_plan bp join brands b on b.slug = bp.slug
           cross join generate_series(1, bp.orders) g
           cross join lateral generate_series(0, 1 + g % 3) l
           join bench_products pr on pr.brand_id = b.id and pr.idx = (g * 31 + l * 7) % ${PRODUCTS_PER_BRAND}`,
    );
    await trx.raw(
      `create temporary table bench_totals on commit drop as
         select brand_id, seq, sum(unit_price * quantity)::bigint as subtotal,
                string_agg(sku || E'\\n' || name, E'\\n' order by position) as lines
           from bench_lines group by brand_id, seq`,
    );
    await trx.raw('analyze bench_lines');
    await trx.raw('analyze bench_totals');
    log('Generated order lines; writing orders…');
    await trx.raw(
      `insert into orders (id, created_at, updated_at, brand_id, seq, number, status, payment_status, currency, subtotal,
          discount_total, shipping_total, tax_total, total, refunded_total, customer_email, customer_name, source,
          checkout_ref, stripe_payment_intent_id, paid_at, cancelled_at, search_text)
       select gen_random_uuid(), o.created_at, o.created_at + interval '1 day', b.id, o.seq,
              b.order_number_prefix || '-' || lpad(o.seq::text, 6, '0'),
              m.status, m.payment_status, b.currency, t.subtotal, 0, 0, 0, t.subtotal,
              case m.refund when 'FULL' then t.subtotal when 'PART' then t.subtotal / 3 else 0 end,
              c.email, c.name, s.source,
              case when s.source = 'STRIPE_CHECKOUT' then 'ref_' || b.order_number_prefix || '_' || o.seq end,
              case when s.source = 'STRIPE_CHECKOUT' then 'pi_bench_' || b.order_number_prefix || '_' || o.seq end,
              case when m.payment_status in ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED') then o.created_at + interval '5 minutes' end,
              case when m.status = 'CANCELLED' then o.created_at + interval '1 day' end,
              lower(concat_ws(E'\\n', b.order_number_prefix || '-' || lpad(o.seq::text, 6, '0'), c.email, c.name, t.lines))
         from bench_plan bp join brands b on b.slug = bp.slug
         cross join lateral (
           select g as seq, now() - make_interval(secs => (bp.orders - g) * (730 * 86400.0 / bp.orders)) - interval '1 minute' as created_at,
                  (g * 7919) % 100 as mix
             from generate_series(1, bp.orders) g) o
         cross join lateral (
           select case when o.mix < 60 then 'DELIVERED' when o.mix < 70 then 'SHIPPED' when o.mix < 78 then 'PROCESSING'
                       when o.mix < 87 then 'PENDING' when o.mix < 96 then 'CANCELLED' else 'DELIVERED' end as status,
                  case when o.mix < 78 then 'PAID' when o.mix < 85 then 'AWAITING_PAYMENT' when o.mix < 87 then 'PAYMENT_FAILED'
                       when o.mix < 93 then 'AWAITING_PAYMENT' when o.mix < 96 then 'REFUNDED' when o.mix < 99 then 'PARTIALLY_REFUNDED'
                       else 'REFUNDED' end as payment_status,
                  case when o.mix between 93 and 95 or o.mix = 99 then 'FULL' when o.mix between 96 and 98 then 'PART' else 'NONE' end as refund) m
         cross join lateral (
           select 'customer' || ((o.seq * 7) % greatest(1, bp.orders / 4)) || '@' || bp.slug || '.example' as email,
                  'Customer ' || ((o.seq * 7) % greatest(1, bp.orders / 4)) as name) c
         cross join lateral (
           select case when o.seq % 10 < 7 then 'STRIPE_CHECKOUT' when o.seq % 10 < 9 then 'DASHBOARD' else 'API' end as source) s
         join bench_totals t on t.brand_id = b.id and t.seq = o.seq`,
    );
    log('Writing order items…');
    await trx.raw(
      `insert into order_items (id, created_at, updated_at, brand_id, order_id, product_id, position, sku, name, unit_price,
          quantity, discount, tax, total)
       select gen_random_uuid(), o.created_at, o.created_at, o.brand_id, o.id, l.product_id, l.position, l.sku, l.name,
              l.unit_price, l.quantity, 0, 0, l.unit_price * l.quantity
         from bench_lines l join orders o on o.brand_id = l.brand_id and o.seq = l.seq`,
    );
    log('Writing order timelines…');
    // Three entries per order: created; its payment outcome (or a note while it awaits payment); its latest status.
    await trx.raw(
      `insert into order_status_changes (id, created_at, updated_at, brand_id, order_id, kind, from_value, to_value, note,
          actor_type, actor_id, actor_label)
       select gen_random_uuid(), o.created_at + e.after, o.created_at + e.after, o.brand_id, o.id, e.kind, e.from_value,
              e.to_value, e.note, e.actor_type, null, e.actor_label
         from orders o join brands b on b.id = o.brand_id join bench_plan bp on bp.slug = b.slug
         cross join lateral (values
           (interval '0', 'STATUS', null, 'PENDING', null,
              case when o.source = 'STRIPE_CHECKOUT' then 'STRIPE' when o.source = 'API' then 'API_KEY' else 'USER' end,
              case when o.source = 'STRIPE_CHECKOUT' then 'Stripe' when o.source = 'API' then 'Shop integration' else 'Owner' end),
           (interval '5 minutes',
              case when o.payment_status = 'AWAITING_PAYMENT' then 'NOTE' else 'PAYMENT' end,
              case when o.payment_status = 'AWAITING_PAYMENT' then null else 'AWAITING_PAYMENT' end,
              case when o.payment_status = 'AWAITING_PAYMENT' then null else o.payment_status end,
              case when o.payment_status = 'AWAITING_PAYMENT' then 'Customer says the transfer is on its way' end,
              'STRIPE', 'Stripe'),
           (interval '1 day',
              case when o.status = 'PENDING' then 'NOTE' else 'STATUS' end,
              case o.status when 'PROCESSING' then 'PENDING' when 'SHIPPED' then 'PROCESSING' when 'DELIVERED' then 'SHIPPED'
                when 'CANCELLED' then 'PENDING' end,
              case when o.status = 'PENDING' then null else o.status end,
              case when o.status = 'PENDING' then 'Reminder sent' when o.status = 'CANCELLED' then 'Customer asked to cancel' end,
              'USER', 'Owner')
         ) e(after, kind, from_value, to_value, note, actor_type, actor_label)`,
    );
    await trx.raw(
      `update brands b set last_order_seq = bp.orders, order_count = bp.orders from bench_plan bp where bp.slug = b.slug`,
    );
  });
  log('Vacuuming and analyzing…');
  // The whole database: the stats rollup's triggers rewrote its rows once per order inserted, and a restored snapshot
  // starts with no statistics, so autovacuum would never clean them (a year's best sellers read 45,000 pages, not 2,800).
  await orm.em.getConnection().execute('vacuum analyze');
}
