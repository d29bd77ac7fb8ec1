import { badInput } from '../errors';
import { ORDER_STATUSES, PAYMENT_STATUSES, type OrderStatus, type PaymentStatus } from '../orders/order-lifecycle';
import { moneyValue as money, type CurrencyCode, type MoneyValue } from '../shared/money';
import type { RequestContext } from '../shared/request-context';
import { divideRoundHalfUp } from '../orders/pricing';
import { productSalesRows, statsRows, type ProductSalesRow } from './stats-rollup';

/**
 * Order statistics over the orders created in [from, to), read from the stats rollup (stats-rollup.ts) and exactly
 * equal to the same figures computed over the orders themselves.
 * Definitions (also in the README):
 * - an order is "paid" when its payment status is PAID, PARTIALLY_REFUNDED or REFUNDED;
 * - gross revenue = sum of paid orders' totals; refunded = sum of their refunded amounts; net = gross − refunded;
 * - average order value = gross / paid orders, rounded half up to the minor unit;
 * - series buckets start at local midnight (DAY), Monday (WEEK) or the 1st (MONTH) in `timeZone`;
 * - money is grouped by currency and never summed across currencies.
 */
export const STATS_INTERVALS = ['DAY', 'WEEK', 'MONTH'] as const;
export type StatsInterval = (typeof STATS_INTERVALS)[number];

const MAX_BUCKETS = 1000;
const APPROX_BUCKET_MS: Record<StatsInterval, number> = { DAY: 86_400_000, WEEK: 7 * 86_400_000, MONTH: 28 * 86_400_000 };

export interface StatsRange {
  from: Date;
  to: Date;
  interval: StatsInterval;
  timeZone: string;
}

export interface CurrencyStats {
  currency: CurrencyCode;
  orderCount: number;
  paidOrderCount: number;
  grossRevenue: MoneyValue;
  refunded: MoneyValue;
  netRevenue: MoneyValue;
  averageOrderValue: MoneyValue;
}

export interface StatsPoint {
  periodStart: Date;
  currency: CurrencyCode;
  orderCount: number;
  netRevenue: MoneyValue;
}

export interface ProductSales {
  productId: string | null;
  sku: string;
  name: string;
  quantity: number;
  revenue: MoneyValue;
}

export interface OrderStats {
  range: StatsRange;
  byCurrency: CurrencyStats[];
  byStatus: { status: OrderStatus; count: number }[];
  byPaymentStatus: { paymentStatus: PaymentStatus; count: number }[];
  series: StatsPoint[];
  topProducts: (limit: number) => Promise<ProductSales[]>;
}

/**
 * Zones already found valid. Building an Intl.DateTimeFormat to check one took ≈ 6 % of the API's CPU on a statistics
 * request (`--cpu-prof` of `stats-30d`). Only valid names are kept, and they are bounded all the same: ICU matches
 * names case-insensitively, so one zone has many spellings.
 */
const knownTimeZones = new Set<string>();
const MAX_KNOWN_TIME_ZONES = 1_000;

function validTimeZone(timeZone: string): boolean {
  if (knownTimeZones.has(timeZone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return false;
  }
  if (knownTimeZones.size >= MAX_KNOWN_TIME_ZONES) knownTimeZones.clear();
  knownTimeZones.add(timeZone);
  return true;
}

export function parseStatsRange(range: { from: Date; to: Date; interval?: StatsInterval | null; timeZone?: string | null }): StatsRange {
  const interval = range.interval ?? 'DAY';
  const timeZone = range.timeZone?.trim() || 'UTC';
  if (!(range.from instanceof Date) || Number.isNaN(range.from.getTime())) throw badInput('range.from', 'is not a valid date');
  if (!(range.to instanceof Date) || Number.isNaN(range.to.getTime())) throw badInput('range.to', 'is not a valid date');
  if (range.from >= range.to) throw badInput('range.to', 'must be after range.from');
  if (!validTimeZone(timeZone)) throw badInput('range.timeZone', `${timeZone} is not an IANA time zone`);
  if ((range.to.getTime() - range.from.getTime()) / APPROX_BUCKET_MS[interval] > MAX_BUCKETS) {
    throw badInput('range', `spans more than ${MAX_BUCKETS} ${interval.toLowerCase()}s; choose a larger interval`);
  }
  return { from: range.from, to: range.to, interval, timeZone };
}

/**
 * The parts of the statistics a caller will read: the breakdowns (byCurrency, byStatus, byPaymentStatus), the series,
 * and the best sellers' limit when it is known ahead (null: `topProducts(limit)` then reads them on its own).
 */
export interface StatsParts {
  breakdowns: boolean;
  series: boolean;
  topProductsLimit: number | null;
}

const EVERY_PART: StatsParts = { breakdowns: true, series: true, topProductsLimit: null };

/** The statistics over the range, the parts asked for read in one statement (stats-rollup.ts). */
export async function orderStats(
  ctx: RequestContext,
  rangeInput: Parameters<typeof parseStatsRange>[0],
  parts: StatsParts = EVERY_PART,
): Promise<OrderStats> {
  const range = parseStatsRange(rangeInput);
  const unit = range.interval.toLowerCase(); // one of day/week/month: safe to inline
  // A limit that topProducts would refuse is not read ahead, so that the field still answers its error.
  const readAhead = parts.topProductsLimit !== null && validLimit(parts.topProductsLimit) ? parts.topProductsLimit : null;
  const rows =
    parts.breakdowns || parts.series || readAhead !== null
      ? await statsRows(ctx, range, {
          breakdowns: parts.breakdowns,
          series: parts.series ? { unit, timeZone: range.timeZone } : null,
          topProducts: readAhead,
        })
      : { breakdown: [], series: [], topProducts: [] };
  const breakdown = rows.breakdown;

  const currencyRows = breakdown.filter((r) => r.by_currency);
  const statusRows = breakdown.filter((r) => r.by_status);
  const paymentRows = breakdown.filter((r) => !r.by_currency && !r.by_status);
  const byCurrency: CurrencyStats[] = currencyRows.map((r) => {
    const currency = r.currency as CurrencyCode;
    const paidCount = Number(r.paid_count);
    const gross = BigInt(r.gross);
    const refunded = BigInt(r.refunded);
    return {
      currency,
      orderCount: Number(r.order_count),
      paidOrderCount: paidCount,
      grossRevenue: money(r.gross, currency),
      refunded: money(r.refunded, currency),
      netRevenue: money((gross - refunded).toString(), currency),
      averageOrderValue: money(paidCount ? divideRoundHalfUp(gross, BigInt(paidCount)).toString() : 0, currency),
    };
  });

  const statusCounts = new Map(statusRows.map((r) => [r.status, Number(r.order_count)]));
  const paymentCounts = new Map(paymentRows.map((r) => [r.payment_status, Number(r.order_count)]));

  return {
    range,
    byCurrency,
    byStatus: ORDER_STATUSES.map((status) => ({ status, count: statusCounts.get(status) ?? 0 })),
    byPaymentStatus: PAYMENT_STATUSES.map((paymentStatus) => ({
      paymentStatus,
      count: paymentCounts.get(paymentStatus) ?? 0,
    })),
    series: rows.series.map((r) => ({
      periodStart: new Date(r.period_start),
      currency: r.currency,
      orderCount: Number(r.order_count),
      netRevenue: money(r.net, r.currency),
    })),
    topProducts: async (limit) => (limit === readAhead ? productSales(rows.topProducts) : topProducts(ctx, range, limit)),
  };
}

function validLimit(limit: number): boolean {
  return Number.isInteger(limit) && limit >= 1 && limit <= 50;
}

function productSales(rows: ProductSalesRow[]): ProductSales[] {
  return rows.map((r) => ({
    productId: r.product_id,
    sku: r.sku,
    name: r.name,
    quantity: Number(r.quantity),
    revenue: money(r.revenue, r.currency),
  }));
}

/** Best sellers among paid orders in the range, by units sold, per currency (revenue is never mixed across currencies). */
export async function topProducts(ctx: RequestContext, range: StatsRange, limit: number): Promise<ProductSales[]> {
  if (!validLimit(limit)) throw badInput('limit', 'must be between 1 and 50');
  return productSales(await productSalesRows(ctx, range, limit));
}
