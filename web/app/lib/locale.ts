import { useRouteLoaderData } from '@remix-run/react';
import { useMemo } from 'react';
import { dateOptions, dateTimeOptions } from './dates';
import { dateTimeFormat, numberFormat } from './intl-cache';
import { formatMinorWith, moneyFormat } from './money';

export interface LocaleInfo {
  locale: string;
  timeZone: string;
}

interface RootLocale extends LocaleInfo {
  preferredLocale: string | null;
}

/**
 * One locale per person for every number, date and amount: the one they chose, else their brand's (the locale of the
 * API's amounts), else — before sign-in — the browser's. Decided from loader data, so server and browser agree.
 */
export function useLocaleInfo(): LocaleInfo {
  const root = useRouteLoaderData<RootLocale>('root');
  const shell = useRouteLoaderData<{ viewer: { brand: { locale: string } } }>('routes/_app');
  return {
    locale: root?.preferredLocale ?? shell?.viewer.brand.locale ?? root?.locale ?? 'en-US',
    timeZone: root?.timeZone ?? 'UTC',
  };
}

/** Whether the person chose a locale of their own (rather than following the brand's). */
export function usePreferredLocale(): string | null {
  return useRouteLoaderData<RootLocale>('root')?.preferredLocale ?? null;
}

export function useFormatters() {
  const { locale, timeZone } = useLocaleInfo();
  // Stable while the locale is: the formatters can be effect and memo dependencies.
  return useMemo(() => createFormatters(locale, timeZone), [locale, timeZone]);
}

export type Formatters = ReturnType<typeof createFormatters>;

/**
 * The person's formatters, each Intl object looked up once per locale and time zone rather than per call: the orders
 * page formats a date, an amount and a count in every row, and each lookup built its cache key with JSON.stringify.
 * Same output as formatDateTime, formatDate and formatMoney.
 */
export function createFormatters(locale: string, timeZone: string) {
  const counts = numberFormat(locale);
  let dateTimes: Intl.DateTimeFormat | undefined;
  let dates: Intl.DateTimeFormat | undefined;
  const currencies = new Map<string, Intl.NumberFormat>();
  const money = (amount: number, currency: string) => {
    let format = currencies.get(currency);
    if (!format) currencies.set(currency, (format = moneyFormat(currency, locale)));
    return formatMinorWith(format, amount, currency);
  };
  return {
    locale,
    timeZone,
    dateTime: (iso: string) => (dateTimes ??= dateTimeFormat(locale, dateTimeOptions(timeZone))).format(new Date(iso)),
    date: (iso: string) => (dates ??= dateTimeFormat(locale, dateOptions(timeZone))).format(new Date(iso)),
    money,
    /** An API Money in this person's locale (the API's own `formatted` is in the brand's). */
    amount: (value: { amount: number; currency: string }) => money(value.amount, value.currency),
    number: (n: number) => counts.format(n),
  };
}
