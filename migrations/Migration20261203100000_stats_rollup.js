'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * The stats rollup (server/src/stats/): pre-aggregated orders that `orderStats` reads instead of every order in range.
 * - `order_stats_hourly`: per brand, UTC hour and currency, the orders and the paid orders' net (the series).
 * - `order_stats_daily`: per brand, UTC day, currency, status and payment status, the orders, their totals and refunds
 *   (the breakdowns).
 * - `product_sales_daily`: per brand, UTC day, currency and line (product, sku, name snapshot), the lines of paid orders.
 * Triggers keep them exact whatever writes the orders (the services, Stripe, an erasure, plain SQL): each change
 * subtracts the old row's contribution and adds the new one's. The orders' triggers are deferred to commit, so the hot
 * row of the current hour is locked only while the transaction commits; the lines' triggers must see the order as it is
 * at that moment (paid or not), so they run immediately, and only a paid order's lines touch the product rollup.
 * `slot` spreads concurrent writers of one key over a few rows (any slot will do: readers sum them), so that orders
 * created at the same time do not queue behind one row lock. Rows are never deleted: a key whose counts return to zero
 * stays, and readers ignore it. No foreign key to brands: a brand's deletion deletes its orders, whose triggers write here.
 * "Paid" is PAYMENT statuses PAID, PARTIALLY_REFUNDED and REFUNDED (PAID_PAYMENT_STATUSES in orders/order-lifecycle.ts).
 */
const PAID = `('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED')`;
const SLOT = `(pg_backend_pid() % 4)::smallint`;

class Migration20261203100000_stats_rollup extends Migration {

  async up() {
    this.addSql(`create table "order_stats_hourly" ("brand_id" uuid not null, "hour" timestamptz not null,
      "currency" text not null, "slot" smallint not null, "order_count" bigint not null, "paid_net" bigint not null,
      constraint "order_stats_hourly_pkey" primary key ("brand_id", "hour", "currency", "slot"));`);
    this.addSql(`create table "order_stats_daily" ("brand_id" uuid not null, "day" timestamptz not null,
      "currency" text not null, "status" text not null, "payment_status" text not null, "slot" smallint not null,
      "order_count" bigint not null, "total" bigint not null, "refunded_total" bigint not null,
      constraint "order_stats_daily_pkey" primary key ("brand_id", "day", "currency", "status", "payment_status", "slot"));`);
    this.addSql(`create table "product_sales_daily" ("brand_id" uuid not null, "day" timestamptz not null,
      "currency" text not null, "product_id" uuid null, "sku" text not null, "name" text not null, "slot" smallint not null,
      "line_count" bigint not null, "quantity" bigint not null, "revenue" bigint not null,
      constraint "product_sales_daily_key" unique nulls not distinct ("brand_id", "day", "currency", "product_id", "sku", "name", "slot"));`);

    // The orders' own figures: fired at commit with each change's old and new row (changes in one transaction add up).
    this.addSql(`create function order_stats_apply() returns trigger language plpgsql as $$
begin
  insert into order_stats_hourly as h (brand_id, hour, currency, slot, order_count, paid_net)
  select c.brand_id, c.hour, c.currency, ${SLOT}, sum(c.n), sum(c.net) from (
    select old.brand_id, date_trunc('hour', old.created_at, 'UTC') as hour, old.currency, -1 as n,
           case when old.payment_status in ${PAID} then old.refunded_total - old.total else 0 end as net
     where TG_OP <> 'INSERT'
    union all
    select new.brand_id, date_trunc('hour', new.created_at, 'UTC'), new.currency, 1,
           case when new.payment_status in ${PAID} then new.total - new.refunded_total else 0 end
     where TG_OP <> 'DELETE'
  ) c group by 1, 2, 3 order by 1, 2, 3
  on conflict (brand_id, hour, currency, slot) do update
    set order_count = h.order_count + excluded.order_count, paid_net = h.paid_net + excluded.paid_net;

  insert into order_stats_daily as d (brand_id, day, currency, status, payment_status, slot, order_count, total, refunded_total)
  select c.brand_id, c.day, c.currency, c.status, c.payment_status, ${SLOT}, sum(c.n), sum(c.total), sum(c.refunded) from (
    select old.brand_id, date_trunc('day', old.created_at, 'UTC') as day, old.currency, old.status, old.payment_status,
           -1 as n, -old.total as total, -old.refunded_total as refunded
     where TG_OP <> 'INSERT'
    union all
    select new.brand_id, date_trunc('day', new.created_at, 'UTC'), new.currency, new.status, new.payment_status,
           1, new.total, new.refunded_total
     where TG_OP <> 'DELETE'
  ) c group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
  on conflict (brand_id, day, currency, status, payment_status, slot) do update
    set order_count = d.order_count + excluded.order_count, total = d.total + excluded.total,
        refunded_total = d.refunded_total + excluded.refunded_total;
  return null;
end $$;`);
    this.addSql(`create constraint trigger order_stats_on_insert_delete after insert or delete on orders
      deferrable initially deferred for each row execute function order_stats_apply();`);
    this.addSql(`create constraint trigger order_stats_on_update after update on orders
      deferrable initially deferred for each row
      when ((old.brand_id, old.created_at, old.currency, old.status, old.payment_status, old.total, old.refunded_total)
            is distinct from (new.brand_id, new.created_at, new.currency, new.status, new.payment_status, new.total, new.refunded_total))
      execute function order_stats_apply();`);

    // Lines of paid orders. `sign` subtracts (-1) or adds (1) the lines of one order as it was (or is) paid.
    this.addSql(`create function product_sales_apply(o orders, line_ids uuid[], sign int) returns void language sql as $$
  insert into product_sales_daily as s (brand_id, day, currency, product_id, sku, name, slot, line_count, quantity, revenue)
  select o.brand_id, date_trunc('day', o.created_at, 'UTC'), o.currency, i.product_id, i.sku, i.name, ${SLOT},
         sign * count(*), sign * sum(i.quantity), sign * sum(i.total)
    from order_items i
   where i.order_id = o.id and (line_ids is null or i.id = any(line_ids)) and o.payment_status in ${PAID}
   group by i.product_id, i.sku, i.name order by i.product_id, i.sku, i.name
  on conflict (brand_id, day, currency, product_id, sku, name, slot) do update
    set line_count = s.line_count + excluded.line_count, quantity = s.quantity + excluded.quantity,
        revenue = s.revenue + excluded.revenue
$$;`);
    this.addSql(`create function product_sales_on_order_change() returns trigger language plpgsql as $$
begin
  if TG_OP = 'DELETE' then
    perform product_sales_apply(old, null, -1);
    return old;
  end if;
  perform product_sales_apply(old, null, -1);
  perform product_sales_apply(new, null, 1);
  return null;
end $$;`);
    this.addSql(`create trigger product_sales_on_order_update after update on orders for each row
      when ((old.payment_status in ${PAID}) is distinct from (new.payment_status in ${PAID})
            or (old.brand_id, old.created_at, old.currency) is distinct from (new.brand_id, new.created_at, new.currency))
      execute function product_sales_on_order_change();`);
    // Before the delete, while the lines still exist (the cascade removes them next, and their order is gone by then).
    this.addSql(`create trigger product_sales_on_order_delete before delete on orders for each row
      when (old.payment_status in ${PAID}) execute function product_sales_on_order_change();`);

    // A line inserted, changed or removed while its order is paid. The line's old version is subtracted by value
    // (it no longer exists), the new one added by id.
    this.addSql(`create function product_sales_on_line_change() returns trigger language plpgsql as $$
declare
  o orders;
begin
  if TG_OP <> 'INSERT' then
    select * into o from orders where id = old.order_id;
    if found and o.payment_status in ${PAID} then
      insert into product_sales_daily as s (brand_id, day, currency, product_id, sku, name, slot, line_count, quantity, revenue)
      values (o.brand_id, date_trunc('day', o.created_at, 'UTC'), o.currency, old.product_id, old.sku, old.name, ${SLOT},
              -1, -old.quantity, -old.total)
      on conflict (brand_id, day, currency, product_id, sku, name, slot) do update
        set line_count = s.line_count + excluded.line_count, quantity = s.quantity + excluded.quantity,
            revenue = s.revenue + excluded.revenue;
    end if;
  end if;
  if TG_OP <> 'DELETE' then
    select * into o from orders where id = new.order_id;
    if found then
      perform product_sales_apply(o, array[new.id], 1);
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
    this.addSql(`insert into order_stats_hourly (brand_id, hour, currency, slot, order_count, paid_net)
      select brand_id, date_trunc('hour', created_at, 'UTC'), currency, 0, count(*),
             coalesce(sum(total - refunded_total) filter (where payment_status in ${PAID}), 0)
        from orders group by 1, 2, 3;`);
    this.addSql(`insert into order_stats_daily (brand_id, day, currency, status, payment_status, slot, order_count, total, refunded_total)
      select brand_id, date_trunc('day', created_at, 'UTC'), currency, status, payment_status, 0, count(*),
             sum(total), sum(refunded_total)
        from orders group by 1, 2, 3, 4, 5;`);
    this.addSql(`insert into product_sales_daily (brand_id, day, currency, product_id, sku, name, slot, line_count, quantity, revenue)
      select o.brand_id, date_trunc('day', o.created_at, 'UTC'), o.currency, i.product_id, i.sku, i.name, 0, count(*),
             sum(i.quantity), sum(i.total)
        from orders o join order_items i on i.order_id = o.id
       where o.payment_status in ${PAID}
       group by 1, 2, 3, 4, 5, 6;`);
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
    this.addSql(`drop function product_sales_apply(orders, uuid[], int);`);
    this.addSql(`drop function order_stats_apply();`);
    this.addSql(`drop table "product_sales_daily";`);
    this.addSql(`drop table "order_stats_daily";`);
    this.addSql(`drop table "order_stats_hourly";`);
  }

}
exports.Migration20261203100000_stats_rollup = Migration20261203100000_stats_rollup;
