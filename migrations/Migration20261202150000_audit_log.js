'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * The audit log: one row per change, written in the transaction of the change itself. It is append-only — a trigger
 * refuses UPDATE, DELETE and TRUNCATE — and has no foreign key at all: deleting an order (or anything else) never
 * cascades into it, and its rows outlive what they describe.
 *
 * The order timeline stays append-only too, with one narrow exception for the GDPR erasure (gdpr/customer-data.ts):
 * inside a transaction that has set `luneo.customer_erasure` to 'on' (a transaction-local setting), an entry's `note`
 * may be rewritten — and nothing else of it. The erasure writes an audit entry in that same transaction.
 */
class Migration20261202150000_audit_log extends Migration {

  async up() {
    this.addSql(`create table "audit_log" ("id" uuid not null, "created_at" timestamptz(3) not null, "brand_id" uuid not null,
      "actor_type" text not null, "actor_id" text null, "actor_label" text not null, "action" text not null,
      "target_type" text not null, "target_id" text null, "changes" jsonb not null, "request_id" text null,
      "client_address" text null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`alter table "audit_log" add constraint "audit_log_actor_type_known" check (actor_type in ('USER','API_KEY','STRIPE','SYSTEM'));`);
    this.addSql(`create index "audit_log_brand_id_created_at_id_index" on "audit_log" ("brand_id", "created_at" desc, "id" desc);`);
    this.addSql(`create index "audit_log_brand_id_target_id_index" on "audit_log" ("brand_id", "target_id", "created_at" desc);`);
    this.addSql(`create function "audit_log_refuse_change"() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only: its entries cannot be changed or deleted'
          using errcode = 'restrict_violation';
      end $$;`);
    this.addSql(`create trigger "audit_log_append_only" before update or delete on "audit_log"
      for each row execute function "audit_log_refuse_change"();`);
    this.addSql(`create trigger "audit_log_no_truncate" before truncate on "audit_log"
      for each statement execute function "audit_log_refuse_change"();`);

    this.addSql(`create or replace function "order_status_changes_refuse_update"() returns trigger language plpgsql as $$
      begin
        if current_setting('luneo.customer_erasure', true) = 'on'
           and (to_jsonb(new) - 'note') = (to_jsonb(old) - 'note') then
          return new;
        end if;
        raise exception 'order_status_changes is append-only: entry % cannot be changed', old.id
          using errcode = 'restrict_violation';
      end $$;`);
  }

  async down() {
    this.addSql(`create or replace function "order_status_changes_refuse_update"() returns trigger language plpgsql as $$
      begin
        raise exception 'order_status_changes is append-only: entry % cannot be changed', old.id
          using errcode = 'restrict_violation';
      end $$;`);
    this.addSql(`drop table if exists "audit_log";`);
    this.addSql(`drop function if exists "audit_log_refuse_change"();`);
  }

}
exports.Migration20261202150000_audit_log = Migration20261202150000_audit_log;
