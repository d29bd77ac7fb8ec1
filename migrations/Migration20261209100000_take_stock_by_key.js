'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');
const { TAKE_STOCK } = require('./Migration20261206200000_insert_order');

/**
 * `take_stock` finds a sale's products by their keys, whatever the size of the brand's catalogue.
 *
 * The function keeps one generic plan per connection (`plan_cache_mode = force_generic_plan`), planned without the
 * brand's value, so for `brand_id = $1` PostgreSQL assumes an average brand. With many small brands that average is a
 * handful of products, and the plan read the products through a `(brand_id, …)` index, every entry of the brand, keeping
 * those whose id is wanted. For a brand of 100,000 products among 10,000 brands of ten (checked with `EXPLAIN (ANALYZE,
 * BUFFERS)` on that data): 2,536 buffers and 6.5–7.5 ms for every sale, against 5 buffers and 0.06 ms by the primary
 * key. The brand is now checked with IS NOT DISTINCT FROM, which no index serves (the column is NOT NULL, so it means
 * `=`): the products are found by their ids and only then checked to be the brand's, so another brand's id still finds
 * nothing. The rest of the function is unchanged.
 */
const BY_BRAND = 'where p.brand_id = take_stock.brand_id and p.id = any(take_stock.product_ids)';
const BY_KEY = 'where p.id = any(take_stock.product_ids) and p.brand_id is not distinct from take_stock.brand_id';

function takeStock(where) {
  if (!TAKE_STOCK.includes(BY_BRAND)) throw new Error('take_stock changed: this migration replaces its product lookup');
  return TAKE_STOCK.replace('create function', 'create or replace function').replace(BY_BRAND, where);
}

class Migration20261209100000_take_stock_by_key extends Migration {

  async up() {
    this.addSql(takeStock(BY_KEY));
  }

  async down() {
    this.addSql(takeStock(BY_BRAND));
  }

}
exports.Migration20261209100000_take_stock_by_key = Migration20261209100000_take_stock_by_key;
