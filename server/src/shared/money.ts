/**
 * Money is always an integer count of the currency's minor unit (cents, yen). This module is the one place that knows
 * each currency's exponent and how to format an amount for people.
 */
export const CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'JPY'] as const;
export type CurrencyCode = (typeof CURRENCIES)[number];

const DISPLAY_LOCALE: Record<CurrencyCode, string> = {
  USD: 'en-US',
  EUR: 'fr-FR',
  GBP: 'en-GB',
  CHF: 'de-CH',
  JPY: 'ja-JP',
};

/** The locale the API's `formatted` amounts use for a currency; a brand's dashboard defaults to it. */
export function displayLocale(currency: CurrencyCode): string {
  return DISPLAY_LOCALE[currency];
}

interface Formatter {
  format: Intl.NumberFormat;
  digits: number;
  /** Strings already made: pages repeat the same prices and totals, and Intl's formatting is the costly part. */
  made: Map<number, string>;
}
/** Amounts whose strings are kept per currency; past it, the cache starts over (a bound, not an LRU). */
const MADE_PER_CURRENCY = 10_000;

/** One formatter per currency, built once with its minor-unit digits: formatting runs for every amount of every page. */
const formatters = new Map<CurrencyCode, Formatter>();

function formatterFor(currency: CurrencyCode): Formatter {
  let formatter = formatters.get(currency);
  if (!formatter) {
    const format = new Intl.NumberFormat(DISPLAY_LOCALE[currency], { style: 'currency', currency });
    formatter = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2, made: new Map() };
    formatters.set(currency, formatter);
  }
  return formatter;
}

/** Digits after the decimal point in the currency's minor unit (2 for EUR, 0 for JPY), as ISO-4217 and Intl define it. */
export function minorUnitDigits(currency: CurrencyCode): number {
  return formatterFor(currency).digits;
}

/** Exact decimal string of a minor-unit amount: 11745 USD → "117.45"; no floating point involved. */
export function toDecimalString(amount: number, currency: CurrencyCode): string {
  const digits = minorUnitDigits(currency);
  const negative = amount < 0;
  const abs = BigInt(Math.abs(amount)).toString().padStart(digits + 1, '0');
  const whole = digits === 0 ? abs : abs.slice(0, -digits);
  const fraction = digits === 0 ? '' : `.${abs.slice(-digits)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** "$117.45", "117,45 €", "¥1,200": for display only. Intl formats the exact decimal string, so nothing is rounded. */
export function formatMoney(amount: number, currency: CurrencyCode): string {
  const { format, made } = formatterFor(currency);
  let text = made.get(amount);
  if (text === undefined) {
    text = format.format(toDecimalString(amount, currency) as unknown as number);
    if (made.size >= MADE_PER_CURRENCY) made.clear();
    made.set(amount, text);
  }
  return text;
}

/** An amount with its currency, as the GraphQL `Money` type exposes it (`formatted` is resolved from these two). */
export interface MoneyValue {
  amount: number;
  currency: CurrencyCode;
}

/** A money value from a PostgreSQL bigint column (which the driver hands over as a string). */
export function moneyValue(amount: string | number, currency: CurrencyCode): MoneyValue {
  return { amount: bigintToNumber(amount), currency };
}

export function isCurrency(value: string): value is CurrencyCode {
  return (CURRENCIES as readonly string[]).includes(value);
}

/** Reads a PostgreSQL bigint (which the driver hands over as a string) as a JS number, refusing anything unsafe. */
export function bigintToNumber(value: string | number | bigint | null): number {
  if (value === null) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`Amount ${value} is outside the 53-bit safe range`);
  return n;
}
