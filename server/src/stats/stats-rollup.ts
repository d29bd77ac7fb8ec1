import type { CurrencyCode } from '../shared/money';
import type { RequestContext } from '../shared/request-context';
import { scopedSql } from '../shared/sql';

/**
 * Reads of the stats rollup (migration 20261203100000_stats_rollup), kept exact by triggers on orders and order_items,
 * through the function `stats_rows` (migration 20261205100000_stats_rows), which holds the SQL: each window is read
 * from the daily and hourly rollups and the orders of its cut hours, and each result is what the same SQL over the
 * orders in range would give. It is a function so that PostgreSQL plans its statement once per connection (planning
 * it took as long as running it), and one call answers every part a request selected, each as a JSON column whose
 * sums travel as text: money never passes through a JSON number.
 */

export interface RollupWindow {
  from: Date;
  to: Date;
}

export interface BreakdownRow {
  by_currency: boolean;
  by_status: boolean;
  currency: CurrencyCode;
  status: string;
  payment_status: string;
  order_count: string;
  paid_count: string;
  gross: string;
  refunded: string;
}

export interface SeriesRow {
  period_start: string;
  currency: CurrencyCode;
  order_count: string;
  net: string;
}

export interface ProductSalesRow {
  product_id: string | null;
  sku: string;
  currency: CurrencyCode;
  name: string;
  quantity: string;
  revenue: string;
}

/** What one statement reads: each part only when asked for; `topProducts` is the best sellers' limit. */
export interface StatsReads {
  breakdowns: boolean;
  series: { unit: string; timeZone: string } | null;
  topProducts: number | null;
}

export interface StatsRows {
  breakdown: BreakdownRow[];
  series: SeriesRow[];
  topProducts: ProductSalesRow[];
}

/**
 * The breakdowns, the series and the best sellers, each only when asked for, in ONE statement (at c=1 every round trip
 * is latency); a part not asked for answers `[]` and is not read.
 */
export async function statsRows(ctx: RequestContext, window: RollupWindow, reads: StatsReads): Promise<StatsRows> {
  const [row] = await scopedSql<StatsRows>(
    ctx,
    `select breakdown, series, top_products as "topProducts"
       from stats_rows(brand_id => ?, range_from => ?, range_to => ?, breakdowns => ?, unit => ?, time_zone => ?, top_limit => ?)`,
    [window.from, window.to, reads.breakdowns, reads.series?.unit ?? null, reads.series?.timeZone ?? null, reads.topProducts],
  );
  return row;
}

/** The best sellers alone (a limit that was not read ahead with the rest). */
export async function productSalesRows(ctx: RequestContext, window: RollupWindow, limit: number): Promise<ProductSalesRow[]> {
  const rows = await statsRows(ctx, window, { breakdowns: false, series: null, topProducts: limit });
  return rows.topProducts;
}
