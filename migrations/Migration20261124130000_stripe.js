'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/** Stripe webhooks: received events (exactly-once claim on event_id), early payment results, brand subscriptions. */
class Migration20261124130000_stripe extends Migration {

  async up() {
    this.addSql(`create table "brand_subscriptions" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "brand_id" uuid not null, "stripe_subscription_id" text not null, "stripe_customer_id" text null, "status" text not null, "plan" text null, "current_period_end" timestamptz(3) null, "cancel_at_period_end" boolean not null default false, "canceled_at" timestamptz(3) null, "ended_at" timestamptz(3) null, "last_event_created" bigint not null, "last_event_id" text not null, constraint "brand_subscriptions_pkey" primary key ("id"));`);
    this.addSql(`alter table "brand_subscriptions" add constraint "brand_subscriptions_stripe_subscription_id_unique" unique ("stripe_subscription_id");`);
    this.addSql(`create index "brand_subscriptions_brand_id_last_event_created_index" on "brand_subscriptions" ("brand_id", "last_event_created");`);

    this.addSql(`create table "stripe_events" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "event_id" text not null, "type" text not null, "brand_id" uuid null, "api_version" text null, "livemode" boolean not null, "stripe_created_at" timestamptz(3) not null, "payload" jsonb not null, "received_at" timestamptz(3) not null, "last_received_at" timestamptz(3) not null, "attempts" int not null default 1, "processed_at" timestamptz(3) null, "outcome" text null, "reason" text null, "error" text null, constraint "stripe_events_pkey" primary key ("id"));`);
    this.addSql(`alter table "stripe_events" add constraint "stripe_events_event_id_unique" unique ("event_id");`);
    this.addSql(`create index "stripe_events_brand_id_received_at_id_index" on "stripe_events" ("brand_id", "received_at", "id");`);

    this.addSql(`create table "stripe_pending_payments" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "payment_intent_id" text not null, "brand_id" uuid null, "order_ref" text null, "result" text null, "refunded_amount" bigint not null default 0, "last_event_id" text not null, constraint "stripe_pending_payments_pkey" primary key ("id"));`);
    this.addSql(`alter table "stripe_pending_payments" add constraint "stripe_pending_payments_payment_intent_id_unique" unique ("payment_intent_id");`);

    this.addSql(`alter table "brand_subscriptions" add constraint "brand_subscriptions_brand_id_foreign" foreign key ("brand_id") references "brands" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "stripe_events" add constraint "stripe_events_brand_id_foreign" foreign key ("brand_id") references "brands" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "stripe_pending_payments" add constraint "stripe_pending_payments_brand_id_foreign" foreign key ("brand_id") references "brands" ("id") on update cascade on delete cascade;`);

    // Invariants the database enforces even if application code were wrong.
    this.addSql(`alter table "stripe_events" add constraint "stripe_events_outcome_known" check (outcome is null or outcome in ('PROCESSED','IGNORED','REJECTED','FAILED'));`);
    this.addSql(`alter table "stripe_events" add constraint "stripe_events_processed_has_outcome" check (processed_at is null or outcome in ('PROCESSED','IGNORED','REJECTED'));`);
    this.addSql(`alter table "stripe_pending_payments" add constraint "stripe_pending_payments_result_known" check (result is null or result in ('SUCCEEDED','FAILED'));`);
    this.addSql(`alter table "stripe_pending_payments" add constraint "stripe_pending_payments_refund_non_negative" check (refunded_amount >= 0);`);
    // Orders are found by PaymentIntent across brands (a charge names only its PaymentIntent): the existing index serves.
  }

  async down() {
    this.addSql(`drop table if exists "brand_subscriptions" cascade;`);
    this.addSql(`drop table if exists "stripe_events" cascade;`);
    this.addSql(`drop table if exists "stripe_pending_payments" cascade;`);
  }

}
exports.Migration20261124130000_stripe = Migration20261124130000_stripe;
