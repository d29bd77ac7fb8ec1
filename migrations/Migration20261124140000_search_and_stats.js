'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Search: one denormalized, trigram-indexed text per order (see server/src/orders/order-search.ts), indexed together with
 * the brand (btree_gin), so `filter.search` is an index lookup for rare terms and a short walk for common ones.
 * Stats: a covering index so the per-brand aggregates read the index only.
 */
class Migration20261124140000_search_and_stats extends Migration {

  async up() {
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(`create extension if not exists btree_gin;`);
    this.addSql(`alter table "orders" add column "search_text" text not null default '';`);
    this.addSql(`update "orders" o set "search_text" = lower(concat_ws(E'\\n', o.number, o.customer_email, o.customer_name,
      (select string_agg(concat_ws(E'\\n', i.sku, i.name), E'\\n' order by i.position) from order_items i where i.order_id = o.id)));`);
    this.addSql(`alter table "orders" alter column "search_text" drop default;`);
    this.addSql(`create index "orders_brand_id_search_text_trgm" on "orders" using gin ("brand_id", "search_text" gin_trgm_ops);`);
    this.addSql(`create index "orders_brand_id_created_at_stats" on "orders" ("brand_id", "created_at") include ("currency", "status", "payment_status", "total", "refunded_total");`);
  }

  async down() {
    this.addSql(`drop index if exists "orders_brand_id_created_at_stats";`);
    this.addSql(`drop index if exists "orders_brand_id_search_text_trgm";`);
    this.addSql(`alter table "orders" drop column if exists "search_text";`);
  }

}
exports.Migration20261124140000_search_and_stats = Migration20261124140000_search_and_stats;
