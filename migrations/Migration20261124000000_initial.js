'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

class Migration20261124000000_initial extends Migration {

  async up() {
    this.addSql(`create table "brands" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "slug" text not null, "name" text not null, "currency" text not null, "order_number_prefix" text not null, "tax_rate_bps" int not null default 0, "tax_inclusive" boolean not null default false, "shipping_flat_rate" bigint not null default 0, "free_shipping_threshold" bigint null, "last_order_seq" int not null default 0, constraint "brands_pkey" primary key ("id"));`);
    this.addSql(`alter table "brands" add constraint "brands_slug_unique" unique ("slug");`);

    this.addSql(`create table "discount_codes" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "brand_id" uuid not null, "code" text not null, "percent_off" int null, "amount_off" bigint null, "minimum_subtotal" bigint null, "valid_from" timestamptz(3) null, "valid_until" timestamptz(3) null, "usage_limit" int null, "times_used" int not null default 0, "active" boolean not null default true, constraint "discount_codes_pkey" primary key ("id"));`);
    this.addSql(`alter table "discount_codes" add constraint "discount_codes_brand_id_code_unique" unique ("brand_id", "code");`);

    this.addSql(`create table "idempotency_keys" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "brand_id" uuid not null, "operation" text not null, "key" text not null, "request_hash" text not null, "result_id" uuid not null, constraint "idempotency_keys_pkey" primary key ("id"));`);
    this.addSql(`alter table "idempotency_keys" add constraint "idempotency_keys_brand_id_operation_key_unique" unique ("brand_id", "operation", "key");`);

    this.addSql(`create table "orders" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "brand_id" uuid not null, "seq" int not null, "number" text not null, "status" text not null, "payment_status" text not null, "currency" text not null, "subtotal" bigint not null, "discount_total" bigint not null, "shipping_total" bigint not null, "tax_total" bigint not null, "total" bigint not null, "refunded_total" bigint not null default 0, "discount_code" text null, "customer_email" text not null, "customer_name" text null, "customer_phone" text null, "shipping_address" jsonb null, "tracking_number" text null, "attention" text null, "source" text not null, "checkout_ref" text null, "stripe_checkout_session_id" text null, "stripe_payment_intent_id" text null, "paid_at" timestamptz(3) null, "cancelled_at" timestamptz(3) null, constraint "orders_pkey" primary key ("id"));`);
    this.addSql(`create index "orders_stripe_payment_intent_id_index" on "orders" ("stripe_payment_intent_id");`);
    this.addSql(`create index "orders_brand_id_customer_email_index" on "orders" ("brand_id", "customer_email");`);
    this.addSql(`create index "orders_brand_id_seq_index" on "orders" ("brand_id", "seq");`);
    this.addSql(`create index "orders_brand_id_total_id_index" on "orders" ("brand_id", "total", "id");`);
    this.addSql(`create index "orders_brand_id_created_at_id_index" on "orders" ("brand_id", "created_at", "id");`);
    this.addSql(`alter table "orders" add constraint "orders_brand_id_checkout_ref_unique" unique ("brand_id", "checkout_ref");`);
    this.addSql(`alter table "orders" add constraint "orders_brand_id_number_unique" unique ("brand_id", "number");`);

    this.addSql(`create table "order_status_changes" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "brand_id" uuid not null, "order_id" uuid not null, "kind" text not null, "from_value" text null, "to_value" text null, "note" text null, "actor_type" text not null, "actor_id" text null, "actor_label" text not null, constraint "order_status_changes_pkey" primary key ("id"));`);
    this.addSql(`create index "order_status_changes_order_id_created_at_id_index" on "order_status_changes" ("order_id", "created_at", "id");`);

    this.addSql(`create table "products" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "brand_id" uuid not null, "sku" text not null, "name" text not null, "price" bigint not null, "stock" int not null, "active" boolean not null default true, constraint "products_pkey" primary key ("id"));`);
    this.addSql(`create index "products_brand_id_created_at_id_index" on "products" ("brand_id", "created_at", "id");`);
    this.addSql(`alter table "products" add constraint "products_brand_id_sku_unique" unique ("brand_id", "sku");`);

    this.addSql(`create table "order_items" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "brand_id" uuid not null, "order_id" uuid not null, "product_id" uuid null, "position" int not null, "sku" text not null, "name" text not null, "unit_price" bigint not null, "quantity" int not null, "discount" bigint not null, "tax" bigint not null, "total" bigint not null, "customization" jsonb null, constraint "order_items_pkey" primary key ("id"));`);
    this.addSql(`create index "order_items_product_id_index" on "order_items" ("product_id");`);
    this.addSql(`create index "order_items_order_id_position_index" on "order_items" ("order_id", "position");`);

    this.addSql(`create table "stock_movements" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "brand_id" uuid not null, "product_id" uuid not null, "order_id" uuid null, "delta" int not null, "stock_after" int not null, "reason" text not null, "note" text null, "actor_type" text not null, "actor_id" text null, "actor_label" text not null, constraint "stock_movements_pkey" primary key ("id"));`);
    this.addSql(`create index "stock_movements_product_id_created_at_index" on "stock_movements" ("product_id", "created_at");`);

    this.addSql(`create table "users" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "brand_id" uuid not null, "email" text not null, "name" text null, "password_hash" text not null, "role" text not null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`create index "users_brand_id_index" on "users" ("brand_id");`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(`create table "sessions" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "user_id" uuid not null, "token_hash" text not null, "expires_at" timestamptz(3) not null, "revoked_at" timestamptz(3) null, constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "discount_codes" add constraint "discount_codes_brand_id_foreign" foreign key ("brand_id") references "brands" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "idempotency_keys" add constraint "idempotency_keys_brand_id_foreign" foreign key ("brand_id") references "brands" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "orders" add constraint "orders_brand_id_foreign" foreign key ("brand_id") references "brands" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "order_status_changes" add constraint "order_status_changes_brand_id_foreign" foreign key ("brand_id") references "brands" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "order_status_changes" add constraint "order_status_changes_order_id_foreign" foreign key ("order_id") references "orders" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "products" add constraint "products_brand_id_foreign" foreign key ("brand_id") references "brands" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "order_items" add constraint "order_items_brand_id_foreign" foreign key ("brand_id") references "brands" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "order_items" add constraint "order_items_order_id_foreign" foreign key ("order_id") references "orders" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "order_items" add constraint "order_items_product_id_foreign" foreign key ("product_id") references "products" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "stock_movements" add constraint "stock_movements_brand_id_foreign" foreign key ("brand_id") references "brands" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "stock_movements" add constraint "stock_movements_product_id_foreign" foreign key ("product_id") references "products" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "users" add constraint "users_brand_id_foreign" foreign key ("brand_id") references "brands" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    // Invariants the database enforces even if application code were wrong.
    this.addSql(`alter table "orders" add constraint "orders_money_non_negative" check (subtotal >= 0 and discount_total >= 0 and discount_total <= subtotal and shipping_total >= 0 and tax_total >= 0 and total >= 0 and refunded_total >= 0 and refunded_total <= total);`);
    this.addSql(`alter table "orders" add constraint "orders_status_known" check (status in ('PENDING','PROCESSING','SHIPPED','DELIVERED','CANCELLED'));`);
    this.addSql(`alter table "orders" add constraint "orders_payment_status_known" check (payment_status in ('AWAITING_PAYMENT','PAID','PAYMENT_FAILED','PARTIALLY_REFUNDED','REFUNDED'));`);
    this.addSql(`alter table "order_items" add constraint "order_items_amounts_valid" check (quantity > 0 and unit_price >= 0 and discount >= 0 and tax >= 0 and total >= 0);`);
    this.addSql(`alter table "products" add constraint "products_price_non_negative" check (price >= 0);`);
    this.addSql(`alter table "discount_codes" add constraint "discount_codes_one_kind" check ((percent_off is null) <> (amount_off is null));`);
    this.addSql(`alter table "discount_codes" add constraint "discount_codes_usage_within_limit" check (usage_limit is null or times_used <= usage_limit);`);
    // Keyset pagination walks newest first; searches by product go through order_items.
    this.addSql(`create index "order_items_brand_id_product_id_index" on "order_items" ("brand_id", "product_id");`);
  }

}
exports.Migration20261124000000_initial = Migration20261124000000_initial;
