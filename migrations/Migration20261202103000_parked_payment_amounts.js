'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * A payment that arrives before its order keeps what Stripe said was paid (amount in minor units, currency), so that
 * when the order is created the same amount check applies as for a payment that arrives after it.
 */
class Migration20261202103000_parked_payment_amounts extends Migration {

  async up() {
    this.addSql(`alter table "stripe_pending_payments" add column "amount" bigint null, add column "currency" text null;`);
  }

  async down() {
    this.addSql(`alter table "stripe_pending_payments" drop column "amount", drop column "currency";`);
  }

}
exports.Migration20261202103000_parked_payment_amounts = Migration20261202103000_parked_payment_amounts;
