'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * TRUNCATE fires no row triggers, so `truncate orders cascade` left the stats rollup (20261203100000) counting orders
 * that no longer exist. A TRUNCATE removes every brand's rows at once, so the rollup's answer is simply "nothing": the
 * order rollup is emptied with the orders, the product sales with the lines (truncated alone or by the cascade).
 */
class Migration20261204090000_stats_rollup_truncate extends Migration {

  async up() {
    this.addSql(`create function stats_rollup_on_truncate() returns trigger language plpgsql as $$
      begin
        if tg_table_name = 'orders' then
          delete from order_stats_daily;
          delete from order_stats_hourly;
        end if;
        delete from product_sales_daily;
        delete from product_sales_hourly;
        return null;
      end $$;`);
    this.addSql(`create trigger stats_rollup_on_orders_truncate after truncate on orders
      for each statement execute function stats_rollup_on_truncate();`);
    this.addSql(`create trigger stats_rollup_on_lines_truncate after truncate on order_items
      for each statement execute function stats_rollup_on_truncate();`);
  }

  async down() {
    this.addSql(`drop trigger stats_rollup_on_lines_truncate on order_items;`);
    this.addSql(`drop trigger stats_rollup_on_orders_truncate on orders;`);
    this.addSql(`drop function stats_rollup_on_truncate();`);
  }

}
exports.Migration20261204090000_stats_rollup_truncate = Migration20261204090000_stats_rollup_truncate;
