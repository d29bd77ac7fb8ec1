'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * `stripe_events` is the inbox of Stripe's deliveries: each is stored, committed, before it is processed
 * (server/src/stripe/event-inbox.ts), and the events not processed yet — queued, or failed and waiting for a retry — are
 * found by this index, which only ever holds those few rows.
 */
class Migration20261211100000_stripe_event_inbox extends Migration {

  async up() {
    this.addSql('create index "stripe_events_unprocessed_index" on "stripe_events" ("received_at") where "processed_at" is null;');
  }

  async down() {
    this.addSql('drop index "stripe_events_unprocessed_index";');
  }

}
exports.Migration20261211100000_stripe_event_inbox = Migration20261211100000_stripe_event_inbox;
