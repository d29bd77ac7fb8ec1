/** Date helpers that respect the user's locale and time zone (both known on the server from the request). */

import { dateTimeFormat } from './intl-cache';

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `value` is a real calendar date written as YYYY-MM-DD. */
export function isYmd(value: string | null | undefined): value is string {
  if (!value) return false;
  const m = YMD.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export function addDays(ymd: string, days: number): string {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Offset (ms) of `timeZone` from UTC at the instant `utcMs`. */
function zoneOffset(utcMs: number, timeZone: string): number {
  const parts = dateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** The instant (ISO, UTC) at which the calendar day `ymd` starts in `timeZone`. */
export function startOfDayInZone(ymd: string, timeZone: string): string {
  const [y, m, d] = ymd.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  let instant = guess - zoneOffset(guess, timeZone);
  // A DST change between the guess and the result moves the offset: correct once more.
  const second = guess - zoneOffset(instant, timeZone);
  if (second !== instant) instant = second;
  return new Date(instant).toISOString();
}

/** Today's date (YYYY-MM-DD) in `timeZone`. */
export function todayInZone(timeZone: string, now: Date = new Date()): string {
  const parts = dateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  return parts; // en-CA formats as YYYY-MM-DD
}

export function isValidTimeZone(tz: string | null | undefined): tz is string {
  if (!tz) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function isValidLocale(locale: string | null | undefined): locale is string {
  if (!locale) return false;
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0;
  } catch {
    return false;
  }
}

/** First supported locale of an Accept-Language header, e.g. "fr-CH,fr;q=0.9,en;q=0.8" → "fr-CH". */
export function localeFromAcceptLanguage(header: string | null | undefined, fallback = 'en-US'): string {
  if (!header) return fallback;
  const tags = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.trim(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((t) => t.tag && t.tag !== '*' && !Number.isNaN(t.q))
    .sort((a, b) => b.q - a.q);
  return tags.find((t) => isValidLocale(t.tag))?.tag ?? fallback;
}

/** How dates with their time are shown: medium date, short time, in the person's time zone. */
export function dateTimeOptions(timeZone: string): Intl.DateTimeFormatOptions {
  return { timeZone, dateStyle: 'medium', timeStyle: 'short' };
}

/** How dates alone are shown. */
export function dateOptions(timeZone: string): Intl.DateTimeFormatOptions {
  return { timeZone, dateStyle: 'medium' };
}

export function formatDateTime(iso: string, locale: string, timeZone: string): string {
  return dateTimeFormat(locale, dateTimeOptions(timeZone)).format(new Date(iso));
}

export function formatDate(iso: string, locale: string, timeZone: string): string {
  return dateTimeFormat(locale, dateOptions(timeZone)).format(new Date(iso));
}

/** Name of the cookie in which the page records the browser's time zone for server rendering. */
export const TZ_COOKIE = 'luneo_tz';

/** Name of the cookie holding the locale a person chose for numbers, dates and amounts (absent: the brand's). */
export const LOCALE_COOKIE = 'luneo_locale';
