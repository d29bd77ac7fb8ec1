'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * An order changes after it is placed — paid, refunded, cancelled, fulfilled — and each change was written as a new row
 * version in every one of its ten indexes (the trigram index of its search text among them), because the stats index
 * carried its status, payment status and refunded amount. Stats have been read from the rollup since 20261203100000;
 * that index now only served the few orders of a window's cut hours, which the (brand, created_at, id) index finds as
 * well. Without it no index holds a column that those changes write, so PostgreSQL updates the row in place (a HOT
 * update: no index entry at all) when its page has room, which the fill factor keeps: a Stripe payment's update
 * measured 0.95 ms and 7.2 KB of WAL before.
 */
class Migration20261212100000_orders_hot_updates extends Migration {

  async up() {
    // Dropping the index takes the table's strongest lock: behind a long query it would wait, and every order read and
    // write would queue behind it. Give up after 5 s instead: nothing is applied, and the next start (or `pnpm db:migrate`)
    // tries again.
    this.addSql(`set local lock_timeout = '5s';`);
    this.addSql('drop index if exists "orders_brand_id_created_at_stats";');
    this.addSql('alter table "orders" set (fillfactor = 85);');
    this.addSql('set local lock_timeout to default;');
  }

  async down() {
    this.addSql('alter table "orders" reset (fillfactor);');
    this.addSql(`create index "orders_brand_id_created_at_stats" on "orders" ("brand_id", "created_at") include ("currency", "status", "payment_status", "total", "refunded_total");`);
  }

}
exports.Migration20261212100000_orders_hot_updates = Migration20261212100000_orders_hot_updates;
