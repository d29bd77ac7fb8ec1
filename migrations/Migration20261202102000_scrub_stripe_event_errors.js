'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * `stripe_events.error` is shown to ADMINs (`webhookEvents`); events that failed on our side used to keep the raw error
 * text, which can carry SQL, constraint names and values. Those become the generic message event-delivery.ts now stores
 * (the raw text was logged when it happened). Rejections keep theirs: they are our rules' own messages.
 */
class Migration20261202102000_scrub_stripe_event_errors extends Migration {

  async up() {
    this.addSql(`update "stripe_events"
      set "error" = 'Our side failed while processing this event; the server log has the details under its event id'
      where "outcome" = 'FAILED' and "error" is not null;`);
  }

  async down() {}

}
exports.Migration20261202102000_scrub_stripe_event_errors = Migration20261202102000_scrub_stripe_event_errors;
