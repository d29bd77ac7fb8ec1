'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/** brands.order_count: the unfiltered order total, kept by the numbering statement and by deleteOrder. */
class Migration20261124150000_brand_order_count extends Migration {

  async up() {
    this.addSql(`alter table "brands" add column "order_count" int not null default 0;`);
    this.addSql(`update "brands" b set "order_count" = (select count(*) from "orders" o where o.brand_id = b.id);`);
    this.addSql(`alter table "brands" add constraint "brands_order_count_non_negative" check ("order_count" >= 0);`);
  }

  async down() {
    this.addSql(`alter table "brands" drop column "order_count";`);
  }

}
exports.Migration20261124150000_brand_order_count = Migration20261124150000_brand_order_count;
