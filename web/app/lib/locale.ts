import { useRouteLoaderData } from '@remix-run/react';
import { useMemo } from 'react';
import { formatDate, formatDateTime } from './dates';
import { numberFormat } from './intl-cache';
import { formatMoney } from './money';

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
  return useMemo(() => {
    const counts = numberFormat(locale);
    return {
      locale,
      timeZone,
      dateTime: (iso: string) => formatDateTime(iso, locale, timeZone),
      date: (iso: string) => formatDate(iso, locale, timeZone),
      money: (amount: number, currency: string) => formatMoney(amount, currency, locale),
      /** An API Money in this person's locale (the API's own `formatted` is in the brand's). */
      amount: (money: { amount: number; currency: string }) => formatMoney(money.amount, money.currency, locale),
      number: (n: number) => counts.format(n),
    };
  }, [locale, timeZone]);
}
