'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/** An order's timeline is append-only: a trigger refuses any update of a recorded entry. */
class Migration20261202000000_timeline_append_only extends Migration {

  async up() {
    this.addSql(`create function "order_status_changes_refuse_update"() returns trigger language plpgsql as $$
      begin
        raise exception 'order_status_changes is append-only: entry % cannot be changed', old.id
          using errcode = 'restrict_violation';
      end $$;`);
    this.addSql(`create trigger "order_status_changes_append_only" before update on "order_status_changes"
      for each row execute function "order_status_changes_refuse_update"();`);
  }

  async down() {
    this.addSql(`drop trigger "order_status_changes_append_only" on "order_status_changes";`);
    this.addSql(`drop function "order_status_changes_refuse_update"();`);
  }

}
exports.Migration20261202000000_timeline_append_only = Migration20261202000000_timeline_append_only;
