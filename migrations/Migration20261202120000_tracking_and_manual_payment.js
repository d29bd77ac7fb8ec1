'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * Tracking gets a carrier and a link, on the order and on the timeline entry that set it; an order marked paid by a
 * person records how the money came in (method and reference). Adding nullable columns rewrites no row, so the
 * timeline's append-only trigger (which refuses updates) is not involved.
 */
class Migration20261202120000_tracking_and_manual_payment extends Migration {

  async up() {
    this.addSql(`alter table "orders" add column "tracking_carrier" text null, add column "tracking_url" text null,
      add column "payment_method" text null, add column "payment_reference" text null;`);
    this.addSql(`alter table "orders" add constraint "orders_payment_method_check"
      check ("payment_method" in ('BANK_TRANSFER', 'CARD', 'CASH', 'CHEQUE', 'OTHER'));`);
    this.addSql(`alter table "orders" add constraint "orders_tracking_url_check" check ("tracking_url" ~ '^https?://');`);
    this.addSql(`alter table "order_status_changes" add column "tracking_number" text null,
      add column "tracking_carrier" text null, add column "tracking_url" text null;`);
  }

  async down() {
    this.addSql(`alter table "order_status_changes" drop column "tracking_number", drop column "tracking_carrier",
      drop column "tracking_url";`);
    this.addSql(`alter table "orders" drop constraint "orders_tracking_url_check", drop constraint "orders_payment_method_check",
      drop column "tracking_carrier", drop column "tracking_url", drop column "payment_method", drop column "payment_reference";`);
  }

}
exports.Migration20261202120000_tracking_and_manual_payment = Migration20261202120000_tracking_and_manual_payment;
