'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * A new order as two functions, so that their statements are planned once per connection instead of on every order:
 * the one statement server/src/orders/order-writes.ts sent took ≈ 0.9 ms to plan, as long as the rest of the request's
 * PostgreSQL work (docs/performance.md, Write path). `plan_cache_mode = force_generic_plan`: the plans depend on no
 * value (every row is found by its key), so PostgreSQL need not try custom plans first.
 *
 * - `take_stock`: the stock rule of a sale (server/src/products/stock.service.ts gives it its lines: one per product,
 *   summed, in id order). It locks the products in id order (two orders sharing products cannot deadlock) and, only
 *   when every product of the brand is there and can be served — never below zero unless `allow_oversell` (a paid
 *   Stripe order) — decrements them all in one UPDATE and logs one SALE movement each. It answers one row per product
 *   taken, or none: then it wrote nothing, and `stockShortfall` says why.
 * - `insert_order`: the stock, then the brand's number, then the order, its frozen lines, its first timeline entries
 *   and (when given) its audit entry, whose `after.number` it fills in. It answers the order's row and what the sale
 *   took, or no row when the stock refused (nothing written). Numbers: the brand row's counter, incremented here, so
 *   the row is locked only from this point to the commit; concurrent orders of one brand take numbers one after the
 *   other, unique and gap-free (a rolled-back order gives its number back), the unique index on (brand, number) being
 *   the last line of defence. The same update counts the order in `brands.order_count` (deleteOrder gives it back).
 *
 * Both take the brand as their first argument (`brand_id => ?`, the SQL wall's form, server/src/shared/sql.ts) and
 * touch only that brand's rows. Called without a transaction, a call is atomic on its own: the products and the brand
 * row stay locked for that one statement and its commit only.
 */
const TAKE_STOCK = `create function take_stock(brand_id uuid, order_id uuid, sold_at timestamptz, product_ids uuid[],
    quantities integer[], movement_ids uuid[], allow_oversell boolean, actor_type text, actor_id text, actor_label text)
  returns table (product_id uuid, quantity integer, stock_after integer)
  language plpgsql volatile
  set plan_cache_mode = force_generic_plan
as $fn$
begin
  return query
  with locked as materialized (
    select p.id, p.stock from products p
     where p.brand_id = take_stock.brand_id and p.id = any(take_stock.product_ids)
     order by p.id for update
  ), wanted as (
    select w.id, w.quantity, w.movement_id
      from unnest(take_stock.product_ids, take_stock.quantities, take_stock.movement_ids) as w(id, quantity, movement_id)
  ), enough as (
    select count(*) = cardinality(take_stock.product_ids) as ok
      from locked k join wanted w on w.id = k.id
     where take_stock.allow_oversell or k.stock >= w.quantity
  ), taken as (
    update products p set stock = p.stock - w.quantity, updated_at = take_stock.sold_at
      from locked k join wanted w on w.id = k.id
     where p.id = k.id and (select e.ok from enough e)
    returning p.id, w.quantity, p.stock, w.movement_id
  ), logged as (
    insert into stock_movements (id, created_at, updated_at, brand_id, product_id, order_id, delta, stock_after, reason,
        actor_type, actor_id, actor_label)
    select t.movement_id, take_stock.sold_at, take_stock.sold_at, take_stock.brand_id, t.id, take_stock.order_id,
           -t.quantity, t.stock, 'SALE', take_stock.actor_type, take_stock.actor_id, take_stock.actor_label
      from taken t
  )
  select t.id, t.quantity, t.stock from taken t order by t.id;
end
$fn$;`;

const INSERT_ORDER = `create function insert_order(brand_id uuid, order_id uuid, created_at timestamptz,
    product_ids uuid[], quantities integer[], movement_ids uuid[], allow_oversell boolean,
    actor_type text, actor_id text, actor_label text,
    currency text, subtotal bigint, discount_total bigint, shipping_total bigint, tax_total bigint, total bigint,
    discount_code text, customer_email text, customer_name text, customer_phone text, shipping_address jsonb,
    source text, checkout_ref text, stripe_checkout_session_id text, stripe_payment_intent_id text,
    search_rest text, lines jsonb, timeline jsonb, audit_entry jsonb)
  returns table (placed orders, stock_taken json)
  language plpgsql volatile
  set plan_cache_mode = force_generic_plan
as $fn$
declare
  sold integer;
  taken json;
  o orders;
begin
  select count(*), json_agg(json_build_object('productId', s.product_id, 'quantity', s.quantity, 'stockAfter', s.stock_after)
                            order by s.product_id)
    into sold, taken
    from take_stock(insert_order.brand_id, insert_order.order_id, insert_order.created_at, insert_order.product_ids,
                    insert_order.quantities, insert_order.movement_ids, insert_order.allow_oversell,
                    insert_order.actor_type, insert_order.actor_id, insert_order.actor_label) s;
  if sold < cardinality(insert_order.product_ids) then
    return;
  end if;

  with numbered as (
    update brands b set last_order_seq = b.last_order_seq + 1, order_count = b.order_count + 1
     where b.id = insert_order.brand_id
    returning b.last_order_seq as seq,
              b.order_number_prefix || '-' || lpad(b.last_order_seq::text, greatest(6, length(b.last_order_seq::text)), '0') as number
  )
  insert into orders as r (id, created_at, updated_at, brand_id, seq, number, status, payment_status, currency, subtotal,
      discount_total, shipping_total, tax_total, total, discount_code, customer_email, customer_name, customer_phone,
      shipping_address, source, checkout_ref, stripe_checkout_session_id, stripe_payment_intent_id, search_text)
  select insert_order.order_id, insert_order.created_at, insert_order.created_at, insert_order.brand_id, n.seq, n.number,
         'PENDING', 'AWAITING_PAYMENT', insert_order.currency, insert_order.subtotal, insert_order.discount_total,
         insert_order.shipping_total, insert_order.tax_total, insert_order.total, insert_order.discount_code,
         insert_order.customer_email, insert_order.customer_name, insert_order.customer_phone,
         insert_order.shipping_address, insert_order.source, insert_order.checkout_ref,
         insert_order.stripe_checkout_session_id, insert_order.stripe_payment_intent_id,
         lower(n.number) || insert_order.search_rest
    from numbered n
  returning r.* into o;

  insert into order_items (id, created_at, updated_at, brand_id, order_id, product_id, position, sku, name, unit_price,
      quantity, discount, tax, total, customization)
  select i.id, o.created_at, o.created_at, o.brand_id, o.id, i.product_id, i.position, i.sku, i.name, i.unit_price,
         i.quantity, i.discount, i.tax, i.total, nullif(i.customization, 'null'::jsonb)
    from jsonb_to_recordset(insert_order.lines) as i(id uuid, product_id uuid, position int, sku text, name text,
         unit_price bigint, quantity int, discount bigint, tax bigint, total bigint, customization jsonb);

  insert into order_status_changes (id, created_at, updated_at, brand_id, order_id, kind, to_value, note, actor_type,
      actor_id, actor_label)
  select h.id, o.created_at, o.created_at, o.brand_id, o.id, h.kind, h.to_value, h.note, insert_order.actor_type,
         insert_order.actor_id, insert_order.actor_label
    from jsonb_to_recordset(insert_order.timeline) as h(id uuid, kind text, to_value text, note text);

  if insert_order.audit_entry is not null then
    insert into audit_log (id, created_at, brand_id, actor_type, actor_id, actor_label, action, target_type, target_id,
        changes, request_id, client_address)
    select a.id, o.created_at, o.brand_id, a.actor_type, a.actor_id, a.actor_label, a.action, a.target_type, o.id,
           jsonb_set(a.changes, '{after,number}', to_jsonb(o.number)), a.request_id, a.client_address
      from jsonb_populate_record(null::audit_log, insert_order.audit_entry) a;
  end if;

  return query select o, taken;
end
$fn$;`;

class Migration20261206200000_insert_order extends Migration {

  async up() {
    this.addSql(TAKE_STOCK);
    this.addSql(INSERT_ORDER);
  }

  async down() {
    this.addSql(`drop function insert_order(uuid, uuid, timestamptz, uuid[], integer[], uuid[], boolean, text, text, text, text,
      bigint, bigint, bigint, bigint, bigint, text, text, text, text, jsonb, text, text, text, text, text, jsonb, jsonb, jsonb);`);
    this.addSql(`drop function take_stock(uuid, uuid, timestamptz, uuid[], integer[], uuid[], boolean, text, text, text);`);
  }

}
exports.Migration20261206200000_insert_order = Migration20261206200000_insert_order;
// Read by 20261209100000, which replaces take_stock's product lookup.
exports.TAKE_STOCK = TAKE_STOCK;
