import { badInput } from '../errors';

/**
 * Pricing: the one place where an order's figures are computed (quoteOrder, createOrder and checkout all call it).
 *
 * All amounts are integer minor units; arithmetic is done in BigInt so intermediate products cannot lose precision.
 *
 * Rounding rule (documented in the README):
 * - Every division rounds half up (amounts are never negative): percentage discounts and taxes alike.
 * - Order-level figures are computed first; the discount and the tax are then allocated to lines in proportion to
 *   each line's amount by the largest-remainder method (ties go to the earlier line), so that the lines always sum
 *   exactly to the order's figures.
 * - The discount applies to goods only and never exceeds the subtotal. Tax is charged on the discounted goods
 *   (shipping is not taxed). With exclusive tax, total = subtotal − discount + shipping + tax; with inclusive tax,
 *   prices already contain the tax, so total = subtotal − discount + shipping and `tax` is the contained portion.
 * - Shipping is the brand's flat rate, or free when a threshold is set and the discounted subtotal reaches it.
 */
export interface PricingLine {
  unitPrice: number;
  quantity: number;
}

export interface PricingDiscount {
  percentOff: number | null;
  amountOff: number | null;
}

export interface PricingRules {
  taxRateBps: number;
  taxInclusive: boolean;
  shippingFlatRate: number;
  freeShippingThreshold: number | null;
}

export interface PricedLine {
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
}

export interface PricedOrder {
  subtotal: number;
  discountTotal: number;
  shippingTotal: number;
  taxTotal: number;
  total: number;
  lines: PricedLine[];
}

/** round(numerator / denominator), half up, for non-negative values. */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** Splits `amount` across `weights` in proportion, exactly (largest remainder; ties to the earlier index). */
export function allocate(amount: bigint, weights: bigint[]): bigint[] {
  const totalWeight = weights.reduce((a, b) => a + b, 0n);
  if (totalWeight === 0n) {
    return weights.map((_, i) => (i === 0 ? amount : 0n));
  }
  const shares = weights.map((w) => (amount * w) / totalWeight);
  const remainders = weights.map((w, index) => ({ index, remainder: (amount * w) % totalWeight }));
  let left = amount - shares.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of remainders) {
    if (left === 0n) break;
    shares[index] += 1n;
    left -= 1n;
  }
  return shares;
}

/** Amounts leave pricing as exact JavaScript numbers; a cart beyond 2^53 − 1 minor units is the client's mistake. */
function toSafeNumber(value: bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    throw badInput('input.items', `the order comes to more than ${Number.MAX_SAFE_INTEGER} minor units`);
  }
  return n;
}

export function priceOrder(lines: PricingLine[], rules: PricingRules, discount: PricingDiscount | null): PricedOrder {
  const lineSubtotals = lines.map((l) => BigInt(l.unitPrice) * BigInt(l.quantity));
  const subtotal = lineSubtotals.reduce((a, b) => a + b, 0n);

  let discountTotal = 0n;
  if (discount?.percentOff != null) {
    discountTotal = divideRoundHalfUp(subtotal * BigInt(discount.percentOff), 100n);
  } else if (discount?.amountOff != null) {
    discountTotal = BigInt(discount.amountOff);
  }
  if (discountTotal > subtotal) discountTotal = subtotal;

  const lineDiscounts = allocate(discountTotal, lineSubtotals);
  const lineBases = lineSubtotals.map((s, i) => s - lineDiscounts[i]);
  const taxableBase = subtotal - discountTotal;

  const bps = BigInt(rules.taxRateBps);
  const taxTotal = rules.taxInclusive
    ? divideRoundHalfUp(taxableBase * bps, 10_000n + bps)
    : divideRoundHalfUp(taxableBase * bps, 10_000n);
  const lineTaxes = allocate(taxTotal, lineBases);

  const freeShipping = rules.freeShippingThreshold != null && taxableBase >= BigInt(rules.freeShippingThreshold);
  const shippingTotal = freeShipping ? 0n : BigInt(rules.shippingFlatRate);

  const total = taxableBase + shippingTotal + (rules.taxInclusive ? 0n : taxTotal);

  return {
    subtotal: toSafeNumber(subtotal),
    discountTotal: toSafeNumber(discountTotal),
    shippingTotal: toSafeNumber(shippingTotal),
    taxTotal: toSafeNumber(taxTotal),
    total: toSafeNumber(total),
    lines: lineSubtotals.map((s, i) => ({
      subtotal: toSafeNumber(s),
      discount: toSafeNumber(lineDiscounts[i]),
      tax: toSafeNumber(lineTaxes[i]),
      total: toSafeNumber(lineBases[i] + (rules.taxInclusive ? 0n : lineTaxes[i])),
    })),
  };
}
