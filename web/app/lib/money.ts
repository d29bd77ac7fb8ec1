/**
 * Money arrives as integer minor units (cents for USD/EUR, yen for JPY) with its ISO-4217 currency.
 * Prefer the API's `formatted` string for display; these helpers cover what the API cannot pre-format:
 * chart axes, values typed by the user, and totals computed for a preview.
 */

import { numberFormat } from './intl-cache';

const digitsCache = new Map<string, number>();

/** The number of minor-unit digits of a currency (2 for EUR, 0 for JPY, 3 for KWD). */
export function minorDigits(currency: string): number {
  const cached = digitsCache.get(currency);
  if (cached !== undefined) return cached;
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    digits = 2;
  }
  digitsCache.set(currency, digits);
  return digits;
}

/** Exact decimal string for an integer amount of minor units: 11745 USD → "117.45", -5 EUR → "-0.05". */
export function minorToDecimalString(amount: number, currency: string): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount must be a safe integer, got ${amount}`);
  const digits = minorDigits(currency);
  const negative = amount < 0;
  const abs = String(Math.abs(amount));
  if (digits === 0) return `${negative ? '-' : ''}${abs}`;
  const padded = abs.padStart(digits + 1, '0');
  const whole = padded.slice(0, -digits);
  const fraction = padded.slice(-digits);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** Formats minor units in the user's locale, exactly (no float rounding even for large amounts). */
export function formatMoney(amount: number, currency: string, locale?: string): string {
  return formatMinorWith(moneyFormat(currency, locale), amount, currency);
}

/** Minor units through a currency formatter already at hand, exactly (formatMoney looks the formatter up itself). */
export function formatMinorWith(format: Intl.NumberFormat, amount: number, currency: string): string {
  return format.format(minorToDecimalString(amount, currency) as Intl.StringNumericLiteral);
}

/** The formatter formatMoney uses for a currency in a locale. */
export function moneyFormat(currency: string, locale?: string): Intl.NumberFormat {
  return numberFormat(locale, { style: 'currency', currency });
}

/** An amount as a person edits it in a price field: their decimal separator, no grouping, the currency's decimals. */
export function formatMoneyInput(amount: number, currency: string, locale?: string): string {
  const digits = minorDigits(currency);
  return numberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(
    minorToDecimalString(amount, currency) as Intl.StringNumericLiteral,
  );
}

/** Short form for chart axes: 1234500 USD → "$12K". */
export function formatMoneyCompact(amount: number, currency: string, locale?: string): string {
  return formatMajorCompact(amount / 10 ** minorDigits(currency), currency, locale);
}

/** Short form of an amount already in major units (chart values). */
export function formatMajorCompact(major: number, currency: string, locale?: string): string {
  return numberFormat(locale, {
    style: 'currency',
    currency,
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(major);
}

/** Converts minor units to a major-unit number for charts only (may round for huge amounts). */
export function minorToMajor(amount: number, currency: string): number {
  return amount / 10 ** minorDigits(currency);
}

export type MoneyInputResult = { ok: true; amount: number } | { ok: false; error: string };

/**
 * Parses what a person types into a price field ("12", "12.5", "1,234.50", "12,50") into minor units.
 * A lone comma followed by 1–2 digits (or the currency's digits) is read as the decimal separator.
 */
export function parseMoneyInput(input: string, currency: string): MoneyInputResult {
  const digits = minorDigits(currency);
  let text = input.trim().replace(/[\s\u00a0'’]/g, '');
  if (text === '') return { ok: false, error: 'Enter an amount.' };
  if (text.startsWith('-')) return { ok: false, error: 'The amount cannot be negative.' };
  const lastComma = text.lastIndexOf(',');
  const lastDot = text.lastIndexOf('.');
  if (lastComma > -1 && lastDot > -1) {
    // Both separators: the last one is the decimal separator.
    const decimal = lastComma > lastDot ? ',' : '.';
    const group = decimal === ',' ? '.' : ',';
    text = text.split(group).join('').replace(decimal, '.');
  } else if (lastComma > -1) {
    const after = text.length - lastComma - 1;
    const single = text.indexOf(',') === lastComma;
    text = single && after > 0 && after <= Math.max(2, digits) && after !== 3 ? text.replace(',', '.') : text.split(',').join('');
  }
  if (!/^\d+(\.\d+)?$/.test(text)) return { ok: false, error: 'Use digits and one decimal separator, e.g. 12.50.' };
  const [whole, fraction = ''] = text.split('.');
  if (fraction.length > digits) {
    return {
      ok: false,
      error: digits === 0 ? `${currency} has no decimals.` : `Use at most ${digits} decimals.`,
    };
  }
  const amount = Number(whole + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(amount)) return { ok: false, error: 'The amount is too large.' };
  return { ok: true, amount };
}

interface Breakdown {
  subtotal: { amount: number };
  discountTotal: { amount: number };
  shippingTotal: { amount: number };
  taxTotal: { amount: number };
  total: { amount: number };
}

/** Whether the tax line is already inside the other lines (tax-inclusive catalog prices) rather than added on top. */
export function taxIsIncluded(m: Breakdown): boolean {
  return m.taxTotal.amount > 0 && m.total.amount === m.subtotal.amount - m.discountTotal.amount + m.shippingTotal.amount;
}
