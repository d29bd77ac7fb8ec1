'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * The query-cost buckets become an UNLOGGED table. Every authenticated request charges its credential's bucket in its
 * first statement, and with a logged table that statement's commit waits for the WAL to reach the disk while it still
 * holds the bucket's row: one client's concurrent requests then queue on that row for one disk flush each (measured
 * under the list benchmark: most of the database time of a request was `Lock:transactionid` and `IO:WalSync` on the
 * credential statement). Unlogged, the charge writes no WAL and commits without a flush. What that gives up: after a
 * database crash (not a clean restart) the buckets are empty, i.e. every credential starts full again, and replicas do
 * not hold them (no instance reads buckets from a replica). A rate limit's state may be lost so; orders may not.
 */
class Migration20261203110000_unlogged_rate_limit_buckets extends Migration {

  async up() {
    this.addSql(`alter table "rate_limit_buckets" set unlogged;`);
  }

  async down() {
    this.addSql(`alter table "rate_limit_buckets" set logged;`);
  }

}
exports.Migration20261203110000_unlogged_rate_limit_buckets = Migration20261203110000_unlogged_rate_limit_buckets;
