'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Payment truth and deleted orders.
 * - `orders.provider_paid_at`: when the payment provider (Stripe) itself reported the money in. A PAID order without it
 *   was marked paid by a person, so a later failure from Stripe is a disagreement to flag, not a stale event.
 * - An order's timeline outlives the order: `order_status_changes.order_id` no longer references `orders` (a cascade
 *   would erase the history; SET NULL would be an update, which the append-only trigger refuses).
 * - `deleted_orders`: what a deleted order looked like (the read model's order and lines, as JSON), who deleted it and
 *   when; its timeline stays in `order_status_changes` under the same order id. Read by the ADMIN query `deletedOrders`.
 */
class Migration20261202101500_payment_truth_and_deleted_orders extends Migration {

  async up() {
    this.addSql(`alter table "orders" add column "provider_paid_at" timestamptz(3) null;`);
    this.addSql(`update "orders" o set "provider_paid_at" = o."paid_at" where o."paid_at" is not null and exists (
      select 1 from "order_status_changes" c
       where c."order_id" = o."id" and c."kind" = 'PAYMENT' and c."to_value" = 'PAID' and c."actor_type" = 'STRIPE');`);
    this.addSql(`alter table "order_status_changes" drop constraint "order_status_changes_order_id_foreign";`);
    this.addSql(`create table "deleted_orders" ("id" uuid not null, "created_at" timestamptz(3) not null,
      "updated_at" timestamptz(3) not null, "brand_id" uuid not null, "order_id" uuid not null, "number" text not null,
      "snapshot" jsonb not null, "actor_type" text not null, "actor_id" text null, "actor_label" text not null,
      constraint "deleted_orders_pkey" primary key ("id"));`);
    this.addSql(`alter table "deleted_orders" add constraint "deleted_orders_brand_id_foreign" foreign key ("brand_id")
      references "brands" ("id") on update cascade on delete cascade;`);
    this.addSql(`create unique index "deleted_orders_brand_id_order_id_unique" on "deleted_orders" ("brand_id", "order_id");`);
    this.addSql(`create index "deleted_orders_brand_id_id_index" on "deleted_orders" ("brand_id", "id");`);
  }

  async down() {
    this.addSql(`drop table "deleted_orders";`);
    this.addSql(`delete from "order_status_changes" c where not exists (select 1 from "orders" o where o."id" = c."order_id");`);
    this.addSql(`alter table "order_status_changes" add constraint "order_status_changes_order_id_foreign" foreign key ("order_id")
      references "orders" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "orders" drop column "provider_paid_at";`);
  }

}
exports.Migration20261202101500_payment_truth_and_deleted_orders = Migration20261202101500_payment_truth_and_deleted_orders;
