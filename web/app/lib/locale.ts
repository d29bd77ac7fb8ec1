import { useRouteLoaderData } from '@remix-run/react';
import { useMemo } from 'react';
import { formatDate, formatDateTime } from './dates';
import { formatMoney } from './money';

export interface LocaleInfo {
  locale: string;
  timeZone: string;
}

/** Locale and time zone decided once by the root loader, so server and browser render the same text. */
export function useLocaleInfo(): LocaleInfo {
  const root = useRouteLoaderData<LocaleInfo>('root');
  return { locale: root?.locale ?? 'en-US', timeZone: root?.timeZone ?? 'UTC' };
}

export function useFormatters() {
  const { locale, timeZone } = useLocaleInfo();
  // Stable while the locale is: the formatters can be effect and memo dependencies.
  return useMemo(() => {
    const numberFormat = new Intl.NumberFormat(locale);
    return {
      locale,
      timeZone,
      dateTime: (iso: string) => formatDateTime(iso, locale, timeZone),
      date: (iso: string) => formatDate(iso, locale, timeZone),
      money: (amount: number, currency: string) => formatMoney(amount, currency, locale),
      number: (n: number) => numberFormat.format(n),
    };
  }, [locale, timeZone]);
}
