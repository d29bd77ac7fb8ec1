'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * The stats rollup (server/src/stats/): pre-aggregated orders that `orderStats` reads instead of every order in range.
 * - `order_stats_daily` and `order_stats_hourly`: per brand, UTC day (or hour), currency, status and payment status,
 *   the orders, their totals and their refunds (the breakdowns and the series).
 * - `product_sales_daily` and `product_sales_hourly`: per brand, UTC day (or hour), currency and line (product, sku,
 *   name snapshot), the lines of paid orders (the best sellers).
 * - `stats_pieces(s, e)`: how [s, e) splits into whole UTC days, whole UTC hours and the cut hours at its ends (read
 *   from the orders themselves).
 * Triggers keep the tables exact whatever writes the orders (the services, Stripe, an erasure, plain SQL): each change
 * subtracts the old row's contribution and adds the new one's. The orders' triggers are deferred to commit, so the hot
 * rows of the current hour and day are locked only while the transaction commits; the lines' triggers must see the
 * order as it is at that moment (paid or not), so they run immediately, and only a paid order's lines touch them.
 * `slot` spreads concurrent writers of one key over a few rows (any slot will do: readers sum them), so that orders
 * created at the same time do not queue behind one row lock; upserts go in key order, so two writers cannot deadlock.
 * Rows are never deleted: a key whose counts return to zero stays, and readers ignore it. No foreign key to brands: a
 * brand's deletion deletes its orders, whose triggers write here.
 * "Paid" is PAID, PARTIALLY_REFUNDED or REFUNDED (PAID_PAYMENT_STATUSES in orders/order-lifecycle.ts).
 */
const PAID = `('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED')`;
const SLOT = `(pg_backend_pid() % 4)::smallint`;
const GRAINS = [['daily', 'day'], ['hourly', 'hour']];

/** Moves an order's change into both grains of the order rollup: its old row out, its new row in, keys in order. */
const ORDER_CHANGE = GRAINS.map(([table, unit]) => `
  insert into order_stats_${table} as r (brand_id, ${unit}, currency, status, payment_status, slot, order_count, total, refunded_total)
  select c.brand_id, c.at, c.currency, c.status, c.payment_status, ${SLOT}, sum(c.n), sum(c.total), sum(c.refunded) from (
    select old.brand_id, date_trunc('${unit}', old.created_at, 'UTC') as at, old.currency, old.status, old.payment_status,
           -1 as n, -old.total as total, -old.refunded_total as refunded
     where TG_OP <> 'INSERT'
    union all
    select new.brand_id, date_trunc('${unit}', new.created_at, 'UTC'), new.currency, new.status, new.payment_status,
           1, new.total, new.refunded_total
     where TG_OP <> 'DELETE'
  ) c group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
  on conflict (brand_id, ${unit}, currency, status, payment_status, slot) do update
    set order_count = r.order_count + excluded.order_count, total = r.total + excluded.total,
        refunded_total = r.refunded_total + excluded.refunded_total;`).join('');

/** Adds `sign` × the lines selected by `lines` (a FROM clause naming the order `o` and its lines `i`) to both grains. */
const applyLines = (lines, sign) => GRAINS.map(([table, unit]) => `
  insert into product_sales_${table} as s (brand_id, ${unit}, currency, product_id, sku, name, slot, line_count, quantity, revenue)
  select o.brand_id, date_trunc('${unit}', o.created_at, 'UTC'), o.currency, i.product_id, i.sku, i.name, ${SLOT},
         ${sign} * count(*), ${sign} * sum(i.quantity), ${sign} * sum(i.total)
    from ${lines} and o.payment_status in ${PAID}
   group by 1, 2, 3, 4, 5, 6 order by 4, 5, 6
  on conflict (brand_id, ${unit}, currency, product_id, sku, name, slot) do update
    set line_count = s.line_count + excluded.line_count, quantity = s.quantity + excluded.quantity,
        revenue = s.revenue + excluded.revenue;`).join('');

class Migration20261203100000_stats_rollup extends Migration {

  async up() {
    for (const [table, unit] of GRAINS) {
      this.addSql(`create table "order_stats_${table}" ("brand_id" uuid not null, "${unit}" timestamptz not null,
        "currency" text not null, "status" text not null, "payment_status" text not null, "slot" smallint not null,
        "order_count" bigint not null, "total" bigint not null, "refunded_total" bigint not null,
        constraint "order_stats_${table}_pkey" primary key ("brand_id", "${unit}", "currency", "status", "payment_status", "slot"));`);
      this.addSql(`create table "product_sales_${table}" ("brand_id" uuid not null, "${unit}" timestamptz not null,
        "currency" text not null, "product_id" uuid null, "sku" text not null, "name" text not null, "slot" smallint not null,
        "line_count" bigint not null, "quantity" bigint not null, "revenue" bigint not null,
        constraint "product_sales_${table}_key" unique nulls not distinct ("brand_id", "${unit}", "currency", "product_id", "sku", "name", "slot"));`);
    }

    this.addSql(`create function stats_pieces(s timestamptz, e timestamptz) returns table (tier text, lo timestamptz, hi timestamptz)
      language sql stable as $$
  select p.tier, p.lo, p.hi
    from (select case when date_trunc('hour', s, 'UTC') = s then s else date_trunc('hour', s, 'UTC') + interval '1 hour' end as a1,
                 date_trunc('hour', e, 'UTC') as z1) h
   cross join lateral (select case when date_trunc('day', h.a1, 'UTC') = h.a1 then h.a1
                                   else date_trunc('day', h.a1, 'UTC') + interval '1 day' end as a2,
                              date_trunc('day', h.z1, 'UTC') as z2) d
   cross join lateral (values ('raw', s, least(h.a1, e)), ('raw', greatest(h.a1, h.z1), e),
                              ('hour', h.a1, least(d.a2, h.z1)), ('hour', greatest(d.a2, d.z2), h.z1),
                              ('day', d.a2, d.z2)) as p (tier, lo, hi)
   where p.lo < p.hi
$$;`);

    // The orders' own figures: fired at commit with each change's old and new row (changes in one transaction add up).
    this.addSql(`create function order_stats_apply() returns trigger language plpgsql as $$
begin ${ORDER_CHANGE}
  return null;
end $$;`);
    this.addSql(`create constraint trigger order_stats_on_insert_delete after insert or delete on orders
      deferrable initially deferred for each row execute function order_stats_apply();`);
    this.addSql(`create constraint trigger order_stats_on_update after update on orders
      deferrable initially deferred for each row
      when ((old.brand_id, old.created_at, old.currency, old.status, old.payment_status, old.total, old.refunded_total)
            is distinct from (new.brand_id, new.created_at, new.currency, new.status, new.payment_status, new.total, new.refunded_total))
      execute function order_stats_apply();`);

    // A paid order's lines move with it: subtracted as the order was, added as it is (each only when paid then).
    this.addSql(`create function product_sales_on_order_change() returns trigger language plpgsql as $$
declare
  o orders;
begin
  if TG_OP = 'DELETE' or TG_OP = 'UPDATE' then
    o := old; ${applyLines('order_items i where i.order_id = o.id', -1)}
  end if;
  if TG_OP = 'DELETE' then
    return old;
  end if;
  o := new; ${applyLines('order_items i where i.order_id = o.id', 1)}
  return null;
end $$;`);
    this.addSql(`create trigger product_sales_on_order_update after update on orders for each row
      when ((old.payment_status in ${PAID}) is distinct from (new.payment_status in ${PAID})
            or (old.brand_id, old.created_at, old.currency) is distinct from (new.brand_id, new.created_at, new.currency))
      execute function product_sales_on_order_change();`);
    // Before the delete, while the lines still exist (the cascade removes them next, and their order is gone by then).
    this.addSql(`create trigger product_sales_on_order_delete before delete on orders for each row
      when (old.payment_status in ${PAID}) execute function product_sales_on_order_change();`);

    // A line inserted, changed or removed while its order is paid: its old version subtracted, its new one added.
    this.addSql(`create function product_sales_on_line_change() returns trigger language plpgsql as $$
declare
  o orders;
begin
  if TG_OP <> 'INSERT' then
    select * into o from orders where id = old.order_id;
    if found and o.payment_status in ${PAID} then ${applyLines('(select old.*) i where true', -1)}
    end if;
  end if;
  if TG_OP <> 'DELETE' then
    select * into o from orders where id = new.order_id;
    if found and o.payment_status in ${PAID} then ${applyLines('(select new.*) i where true', 1)}
    end if;
  end if;
  return null;
end $$;`);
    this.addSql(`create trigger product_sales_on_line_insert_delete after insert or delete on order_items for each row
      execute function product_sales_on_line_change();`);
    this.addSql(`create trigger product_sales_on_line_update after update on order_items for each row
      when ((old.order_id, old.product_id, old.sku, old.name, old.quantity, old.total)
            is distinct from (new.order_id, new.product_id, new.sku, new.name, new.quantity, new.total))
      execute function product_sales_on_line_change();`);

    // Backfill, set-based, in slot 0.
    for (const [table, unit] of GRAINS) {
      this.addSql(`insert into order_stats_${table} (brand_id, ${unit}, currency, status, payment_status, slot, order_count, total, refunded_total)
        select brand_id, date_trunc('${unit}', created_at, 'UTC'), currency, status, payment_status, 0, count(*),
               sum(total), sum(refunded_total)
          from orders group by 1, 2, 3, 4, 5;`);
      this.addSql(`insert into product_sales_${table} (brand_id, ${unit}, currency, product_id, sku, name, slot, line_count, quantity, revenue)
        select o.brand_id, date_trunc('${unit}', o.created_at, 'UTC'), o.currency, i.product_id, i.sku, i.name, 0, count(*),
               sum(i.quantity), sum(i.total)
          from orders o join order_items i on i.order_id = o.id
         where o.payment_status in ${PAID}
         group by 1, 2, 3, 4, 5, 6;`);
    }
  }

  async down() {
    this.addSql(`drop trigger product_sales_on_line_update on order_items;`);
    this.addSql(`drop trigger product_sales_on_line_insert_delete on order_items;`);
    this.addSql(`drop trigger product_sales_on_order_delete on orders;`);
    this.addSql(`drop trigger product_sales_on_order_update on orders;`);
    this.addSql(`drop trigger order_stats_on_update on orders;`);
    this.addSql(`drop trigger order_stats_on_insert_delete on orders;`);
    this.addSql(`drop function product_sales_on_line_change();`);
    this.addSql(`drop function product_sales_on_order_change();`);
    this.addSql(`drop function order_stats_apply();`);
    this.addSql(`drop function stats_pieces(timestamptz, timestamptz);`);
    for (const [table] of GRAINS) {
      this.addSql(`drop table "product_sales_${table}";`);
      this.addSql(`drop table "order_stats_${table}";`);
    }
  }

}
exports.Migration20261203100000_stats_rollup = Migration20261203100000_stats_rollup;
