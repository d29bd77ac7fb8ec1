'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Partner API keys (only a SHA-256 of the secret is stored), the shared leaky buckets of query cost, and the counters
 * of sign-in attempts. Buckets and counters live in PostgreSQL so that every API instance sees the same ones.
 */
class Migration20261202130000_api_keys extends Migration {

  async up() {
    this.addSql(`create table "api_keys" ("id" uuid not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, "brand_id" uuid not null, "name" text not null, "prefix" text not null, "secret_hash" text not null, "scopes" text[] not null, "created_by_type" text not null, "created_by_id" uuid null, "created_by_label" text not null, "last_used_at" timestamptz(3) null, "revoked_at" timestamptz(3) null, constraint "api_keys_pkey" primary key ("id"));`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_secret_hash_unique" unique ("secret_hash");`);
    this.addSql(`create index "api_keys_brand_id_created_at_index" on "api_keys" ("brand_id", "created_at");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_brand_id_foreign" foreign key ("brand_id") references "brands" ("id") on update cascade on delete cascade;`);
    // Invariants the database enforces even if application code were wrong.
    this.addSql(`alter table "api_keys" add constraint "api_keys_scopes_known" check (cardinality(scopes) > 0 and scopes <@ array['orders:read','orders:write','products:read','products:write','stats:read']::text[]);`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_creator_type_known" check (created_by_type in ('USER','API_KEY','STRIPE','SYSTEM'));`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_name_length" check (char_length(name) between 1 and 100);`);

    // One row per API key or session: points available at updated_at (refilled continuously at the restore rate), and
    // whether the last request was granted.
    this.addSql(`create table "rate_limit_buckets" ("key" text not null, "available" double precision not null, "granted" boolean not null, "updated_at" timestamptz not null, constraint "rate_limit_buckets_pkey" primary key ("key"));`);
    this.addSql(`create index "rate_limit_buckets_updated_at_index" on "rate_limit_buckets" ("updated_at");`);

    // The layout rate-limiter-flexible's PostgreSQL store expects (it is told the table exists).
    this.addSql(`create table "sign_in_limits" ("key" varchar(255) not null, "points" integer not null default 0, "expire" bigint null, constraint "sign_in_limits_pkey" primary key ("key"));`);
  }

  async down() {
    this.addSql(`drop table if exists "sign_in_limits";`);
    this.addSql(`drop table if exists "rate_limit_buckets";`);
    this.addSql(`drop table if exists "api_keys";`);
  }

}
exports.Migration20261202130000_api_keys = Migration20261202130000_api_keys;
