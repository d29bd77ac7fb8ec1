'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');
const { STATS_ROWS } = require('./Migration20261206100000_stats_monthly');

/**
 * `stats_rows` (20261206100000) with its breakdowns summed in two steps: the range's rollup rows (≈ 3,300 daily rows for
 * a year of the 200,000-order brand) are first grouped by currency, status and payment status — one plain hash
 * aggregate — and only those few groups go through the grouping sets, whose three sets each evaluated every filtered
 * sum on every row. Sums of sums, so every figure is the same. A year by month 18.1–18.6 → 15.6–16.2 ms measured alone
 * (medians of 30 interleaved calls; docs/performance.md, Stats rollup). The rest of the function is unchanged.
 */
const IN_RANGE = '  ), in_range as (\n';
const BREAKDOWN = '  ), breakdown as (\n';

function groupedFirst(sql) {
  if (sql.split(IN_RANGE).length !== 2 || sql.split(BREAKDOWN).length !== 2) {
    throw new Error('stats_rows: the text this migration rewrites changed');
  }
  return sql.replace(IN_RANGE, '  ), in_range_rows as (\n').replace(
    BREAKDOWN,
    `  ), in_range as (
    select currency, status, payment_status, sum(order_count) as order_count, sum(total) as total,
           sum(refunded_total) as refunded_total
      from in_range_rows group by currency, status, payment_status
${BREAKDOWN}`,
  );
}

class Migration20261207100000_stats_breakdown_grouped extends Migration {

  async up() {
    this.addSql(groupedFirst(STATS_ROWS));
  }

  async down() {
    this.addSql(STATS_ROWS);
  }

}
exports.Migration20261207100000_stats_breakdown_grouped = Migration20261207100000_stats_breakdown_grouped;
// For 20261208100000, which rewrites stats_rows from this text (and restores it on the way down).
exports.STATS_ROWS_GROUPED = groupedFirst(STATS_ROWS);
