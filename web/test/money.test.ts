import { describe, expect, it } from 'vitest';
import { formatMoney, formatMoneyCompact, formatMoneyInput, minorDigits, minorToDecimalString, parseMoneyInput, taxIsIncluded } from '~/lib/money';

// Intl output uses narrow/no-break spaces in some locales; compare with plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('minorDigits', () => {
  it('knows the minor unit of each currency', () => {
    expect(minorDigits('USD')).toBe(2);
    expect(minorDigits('EUR')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('KWD')).toBe(3);
  });
});

describe('minorToDecimalString', () => {
  it('places the decimal point by the currency', () => {
    expect(minorToDecimalString(11745, 'USD')).toBe('117.45');
    expect(minorToDecimalString(5, 'EUR')).toBe('0.05');
    expect(minorToDecimalString(-5, 'EUR')).toBe('-0.05');
    expect(minorToDecimalString(0, 'GBP')).toBe('0.00');
    expect(minorToDecimalString(1200, 'JPY')).toBe('1200');
    expect(minorToDecimalString(1234, 'KWD')).toBe('1.234');
  });

  it('is exact for amounts beyond float precision of cents', () => {
    expect(minorToDecimalString(9_007_199_254_740_991, 'USD')).toBe('90071992547409.91');
  });

  it('rejects non-integers', () => {
    expect(() => minorToDecimalString(1.5, 'USD')).toThrow(RangeError);
  });
});

describe('formatMoney', () => {
  it('formats per currency and locale', () => {
    expect(formatMoney(11745, 'USD', 'en-US')).toBe('$117.45');
    expect(plain(formatMoney(11745, 'EUR', 'fr-FR'))).toBe('117,45 €');
    expect(plain(formatMoney(11745, 'EUR', 'de-DE'))).toBe('117,45 €');
    expect(formatMoney(1200, 'JPY', 'ja-JP')).toMatch(/^[￥¥]1,200$/);
    expect(formatMoney(123456, 'GBP', 'en-GB')).toBe('£1,234.56');
    expect(plain(formatMoney(100050, 'CHF', 'de-CH'))).toMatch(/^CHF 1[’']000\.50$/);
  });

  it('keeps large amounts exact', () => {
    expect(formatMoney(9_007_199_254_740_991, 'USD', 'en-US')).toBe('$90,071,992,547,409.91');
  });

  it('formats negative amounts', () => {
    expect(formatMoney(-250, 'USD', 'en-US')).toBe('-$2.50');
  });

  it('has a compact form for chart axes', () => {
    expect(formatMoneyCompact(1_234_500, 'USD', 'en-US')).toBe('$12.3K');
    expect(formatMoneyCompact(50_000_000, 'JPY', 'en-US')).toBe('¥50M');
  });
});

describe('parseMoneyInput', () => {
  it('reads what people type into minor units', () => {
    expect(parseMoneyInput('12', 'USD')).toEqual({ ok: true, amount: 1200 });
    expect(parseMoneyInput('12.5', 'USD')).toEqual({ ok: true, amount: 1250 });
    expect(parseMoneyInput(' 12.50 ', 'EUR')).toEqual({ ok: true, amount: 1250 });
    expect(parseMoneyInput('12,50', 'EUR')).toEqual({ ok: true, amount: 1250 });
    expect(parseMoneyInput('1,234.50', 'USD')).toEqual({ ok: true, amount: 123450 });
    expect(parseMoneyInput('1.234,50', 'EUR')).toEqual({ ok: true, amount: 123450 });
    expect(parseMoneyInput('1,234', 'USD')).toEqual({ ok: true, amount: 123400 });
    expect(parseMoneyInput('1 234,5', 'EUR')).toEqual({ ok: true, amount: 123450 });
    expect(parseMoneyInput('1200', 'JPY')).toEqual({ ok: true, amount: 1200 });
    expect(parseMoneyInput('0.1', 'USD')).toEqual({ ok: true, amount: 10 });
  });

  it('explains what is wrong', () => {
    expect(parseMoneyInput('', 'USD')).toMatchObject({ ok: false, error: 'Enter an amount.' });
    expect(parseMoneyInput('-3', 'USD')).toMatchObject({ ok: false });
    expect(parseMoneyInput('abc', 'USD')).toMatchObject({ ok: false });
    expect(parseMoneyInput('1.234', 'USD')).toMatchObject({ ok: false, error: 'Use at most 2 decimals.' });
    expect(parseMoneyInput('12.5', 'JPY')).toMatchObject({ ok: false, error: 'JPY has no decimals.' });
    expect(parseMoneyInput('99999999999999999', 'USD')).toMatchObject({ ok: false, error: 'The amount is too large.' });
  });

  it('round-trips with minorToDecimalString', () => {
    for (const [amount, currency] of [
      [0, 'USD'],
      [1, 'EUR'],
      [99, 'GBP'],
      [123456789, 'CHF'],
      [777, 'JPY'],
    ] as const) {
      expect(parseMoneyInput(minorToDecimalString(amount, currency), currency)).toEqual({ ok: true, amount });
    }
  });
});

describe('taxIsIncluded', () => {
  const m = (subtotal: number, discount: number, shipping: number, tax: number, total: number) => ({
    subtotal: { amount: subtotal },
    discountTotal: { amount: discount },
    shippingTotal: { amount: shipping },
    taxTotal: { amount: tax },
    total: { amount: total },
  });
  it('tells inclusive tax from tax added on top', () => {
    expect(taxIsIncluded(m(98000, 9800, 0, 14700, 88200))).toBe(true);
    expect(taxIsIncluded(m(10000, 0, 1500, 2000, 13500))).toBe(false);
    expect(taxIsIncluded(m(10000, 0, 0, 0, 10000))).toBe(false);
  });
});

describe('formatMoneyInput', () => {
  it('pre-fills a price field in the person’s locale, without grouping, with the currency’s decimals', () => {
    expect(formatMoneyInput(30000, 'EUR', 'fr-FR')).toBe('300,00');
    expect(formatMoneyInput(123456789, 'EUR', 'en-US')).toBe('1234567.89');
    expect(formatMoneyInput(1500, 'JPY', 'ja-JP')).toBe('1500');
    // What it writes, parseMoneyInput reads back.
    expect(parseMoneyInput(formatMoneyInput(123456789, 'EUR', 'de-DE'), 'EUR')).toEqual({ ok: true, amount: 123456789 });
  });
});
