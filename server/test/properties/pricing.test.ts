import fc from 'fast-check';
import { allocate, priceOrder } from '../../src/orders/pricing';

const line = fc.record({ unitPrice: fc.integer({ min: 0, max: 5_000_000 }), quantity: fc.integer({ min: 1, max: 50 }) });
const rules = fc.record({
  taxRateBps: fc.integer({ min: 0, max: 10_000 }),
  taxInclusive: fc.boolean(),
  shippingFlatRate: fc.integer({ min: 0, max: 10_000 }),
  freeShippingThreshold: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: null }),
});
const discount = fc.option(
  fc.oneof(
    fc.record({ percentOff: fc.integer({ min: 1, max: 100 }), amountOff: fc.constant(null) }),
    fc.record({ percentOff: fc.constant(null), amountOff: fc.integer({ min: 1, max: 20_000_000 }) }),
  ),
  { nil: null },
);

/**
 * `rounded` is numerator / denominator rounded half up: |rounded − exact| ≤ ½, and an exact half goes up. In integers:
 * −denominator < 2·(rounded·denominator − numerator) ≤ denominator. Nearest-value rounding that breaks ties down or to
 * even fails the right-hand bound.
 */
function expectHalfUp(rounded: number, numerator: bigint, denominator: bigint) {
  const twiceError = 2n * (BigInt(rounded) * denominator - numerator);
  expect({ rounded, aboveLowerBound: twiceError > -denominator, withinUpperBound: twiceError <= denominator }).toEqual({
    rounded,
    aboveLowerBound: true,
    withinUpperBound: true,
  });
}

describe('pricing invariants (property-based)', () => {
  it('lines sum exactly to the order, and the order adds up', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), rules, discount, (lines, r, d) => {
        const p = priceOrder(lines, r, d);
        const sum = (f: (l: (typeof p.lines)[number]) => number) => p.lines.reduce((s, l) => s + f(l), 0);
        expect(p.subtotal).toBe(lines.reduce((s, l) => s + l.unitPrice * l.quantity, 0));
        expect(sum((l) => l.subtotal)).toBe(p.subtotal);
        expect(sum((l) => l.discount)).toBe(p.discountTotal);
        expect(sum((l) => l.tax)).toBe(p.taxTotal);
        expect(sum((l) => l.total) + p.shippingTotal).toBe(p.total);
        const goods = p.subtotal - p.discountTotal;
        expect(p.total).toBe(goods + p.shippingTotal + (r.taxInclusive ? 0 : p.taxTotal));
        for (const l of p.lines) {
          expect(l.discount).toBeGreaterThanOrEqual(0);
          expect(l.discount).toBeLessThanOrEqual(l.subtotal);
          expect(l.tax).toBeGreaterThanOrEqual(0);
          expect(Number.isInteger(l.total)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('applies the documented rounding: half up on the discount and the tax', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), rules, discount, (lines, r, d) => {
        const p = priceOrder(lines, r, d);
        if (d?.percentOff != null) expectHalfUp(p.discountTotal, BigInt(p.subtotal) * BigInt(d.percentOff), 100n);
        else expect(p.discountTotal).toBe(Math.min(d?.amountOff ?? 0, p.subtotal));
        const goods = BigInt(p.subtotal - p.discountTotal);
        const bps = BigInt(r.taxRateBps);
        expectHalfUp(p.taxTotal, goods * bps, r.taxInclusive ? 10_000n + bps : 10_000n);
      }),
      { numRuns: 500 },
    );
  });

  it('rounds an exact half up, never down or to even (ties are rare in random carts, so these are built)', () => {
    const noTax = { taxRateBps: 0, taxInclusive: false, shippingFlatRate: 0, freeShippingThreshold: null };
    // Each percentage with subtotals for which subtotal × percent / 100 ends in exactly .5.
    const percentTie = fc.oneof(
      fc.nat(100_000).map((k) => ({ percentOff: 1, subtotal: 100 * k + 50 })),
      fc.nat(100_000).map((k) => ({ percentOff: 10, subtotal: 10 * k + 5 })),
      fc.nat(100_000).map((k) => ({ percentOff: 25, subtotal: 4 * k + 2 })),
      fc.nat(100_000).map((k) => ({ percentOff: 50, subtotal: 2 * k + 1 })),
    );
    fc.assert(
      fc.property(percentTie, ({ percentOff, subtotal }) => {
        const p = priceOrder([{ unitPrice: subtotal, quantity: 1 }], noTax, { percentOff, amountOff: null });
        expect(p.discountTotal).toBe((subtotal * percentOff + 50) / 100);
      }),
    );
    // 50 % exclusive tax, or 100 % inclusive tax (half the price), on an odd amount is an exact half.
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.boolean(), (k, inclusive) => {
        const goods = 2 * k + 1;
        const rules = { ...noTax, taxRateBps: inclusive ? 10_000 : 5_000, taxInclusive: inclusive };
        expect(priceOrder([{ unitPrice: goods, quantity: 1 }], rules, null).taxTotal).toBe(k + 1);
      }),
    );
  });

  it('never discounts below zero and charges shipping per the threshold', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), rules, discount, (lines, r, d) => {
        const p = priceOrder(lines, r, d);
        expect(p.discountTotal).toBeLessThanOrEqual(p.subtotal);
        const free = r.freeShippingThreshold != null && p.subtotal - p.discountTotal >= r.freeShippingThreshold;
        expect(p.shippingTotal).toBe(free ? 0 : r.shippingFlatRate);
      }),
    );
  });

  it('allocates any amount exactly and proportionally (each share within 1 of its exact part)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 9n }), { minLength: 1, maxLength: 20 }),
        (amount, weights) => {
          const shares = allocate(amount, weights);
          expect(shares.reduce((a, b) => a + b, 0n)).toBe(amount);
          const total = weights.reduce((a, b) => a + b, 0n);
          if (total > 0n) {
            shares.forEach((s, i) => {
              const exact = (amount * weights[i]) / total;
              expect(s === exact || s === exact + 1n).toBe(true);
            });
          }
        },
      ),
    );
  });

  it('gives the extra units to the largest remainders, ties to the earlier line (small weights make ties common)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1_000n }),
        fc.array(fc.bigInt({ min: 0n, max: 4n }), { minLength: 1, maxLength: 20 }),
        (amount, weights) => {
          const total = weights.reduce((a, b) => a + b, 0n);
          fc.pre(total > 0n);
          const shares = allocate(amount, weights);
          const lines = weights.map((w, i) => ({ i, remainder: (amount * w) % total, extra: shares[i] > (amount * w) / total }));
          for (const up of lines.filter((l) => l.extra)) {
            for (const down of lines.filter((l) => !l.extra)) {
              const outranks = up.remainder > down.remainder || (up.remainder === down.remainder && up.i < down.i);
              expect({ up, down, outranks }).toEqual({ up, down, outranks: true });
            }
          }
        },
      ),
    );
  });

  it('allocates to the first line when every weight is zero (an order of free lines)', () => {
    expect(allocate(7n, [0n, 0n, 0n])).toEqual([7n, 0n, 0n]);
  });

  it('ships free when the discounted goods reach the threshold exactly', () => {
    const rules = { taxRateBps: 0, taxInclusive: false, shippingFlatRate: 500, freeShippingThreshold: 10_000 };
    expect(priceOrder([{ unitPrice: 10_000, quantity: 1 }], rules, null).shippingTotal).toBe(0);
    expect(priceOrder([{ unitPrice: 9_999, quantity: 1 }], rules, null).shippingTotal).toBe(500);
  });

  it('refuses an order beyond the safe integer range instead of losing precision', () => {
    const rules = { taxRateBps: 0, taxInclusive: false, shippingFlatRate: 0, freeShippingThreshold: null };
    expect(() => priceOrder([{ unitPrice: Number.MAX_SAFE_INTEGER, quantity: 2 }], rules, null)).toThrow();
    expect(priceOrder([{ unitPrice: Number.MAX_SAFE_INTEGER, quantity: 1 }], rules, null).total).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rounds a known example as documented', () => {
    // 3 × 3.33 with 10% off: discount 0.999 → 1.00; tax 20% of 8.99 = 1.798 → 1.80.
    const p = priceOrder([{ unitPrice: 333, quantity: 3 }], { taxRateBps: 2000, taxInclusive: false, shippingFlatRate: 0, freeShippingThreshold: null }, { percentOff: 10, amountOff: null });
    expect(p).toMatchObject({ subtotal: 999, discountTotal: 100, taxTotal: 180, total: 1079 });
  });
});
