import { isYmd } from './dates';
import { dateTimeFormat } from './intl-cache';

/**
 * Calendar dates (YYYY-MM-DD, what the API and URLs exchange) written and read the way a person's locale writes them:
 * "02/12/2026" in fr-FR, "12/2/2026" in en-US, "2.12.2026" in de-DE. Browsers' native date inputs ignore the page's
 * locale (Chromium follows the operating system), hence this.
 */

type Part = 'day' | 'month' | 'year';

const NUMERIC_DATE: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'numeric', day: 'numeric', timeZone: 'UTC' };

function dateFormat(locale: string) {
  // Latin digits whatever the locale's default numbering, so what is shown can be typed back.
  return dateTimeFormat(`${locale}-u-nu-latn`, NUMERIC_DATE);
}

function utcDate(ymd: string): Date {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

/** The order in which the locale writes day, month and year. */
export function datePartOrder(locale: string): Part[] {
  return dateFormat(locale)
    .formatToParts(new Date(Date.UTC(2026, 11, 2)))
    .flatMap((p) => (p.type === 'day' || p.type === 'month' || p.type === 'year' ? [p.type] : []));
}

/** `ymd` as the locale writes it in numbers, e.g. "02/12/2026" (fr-FR) or "12/2/2026" (en-US); "" for no date. */
export function formatDateInput(ymd: string | null | undefined, locale: string): string {
  return isYmd(ymd) ? dateFormat(locale).format(utcDate(ymd)) : '';
}

/** A long, unambiguous form for screen readers and calendar buttons, e.g. "Wednesday 2 December 2026". */
export function formatDateLong(ymd: string, locale: string): string {
  return dateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(utcDate(ymd));
}

/**
 * Reads what a person typed: the locale's order of day, month and year with any separators, or an ISO date.
 * Returns YYYY-MM-DD, or null when it is not a real date. `fullYearOnly` refuses 2-digit years (used while typing,
 * so "12/2/20" is not taken for 2020 before the person has finished).
 */
export function parseDateInput(text: string, locale: string, options: { fullYearOnly?: boolean } = {}): string | null {
  const trimmed = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(trimmed);
  const groups = iso ? [iso[1], iso[2], iso[3]] : trimmed.split(/[^\d]+/).filter(Boolean);
  if (groups.length !== 3 || groups.some((g) => g.length > 4)) return null;
  const order: Part[] = iso ? ['year', 'month', 'day'] : datePartOrder(locale);
  const part = (name: Part) => groups[order.indexOf(name)];
  const yearText = part('year');
  if (yearText.length === 3 || (yearText.length !== 4 && options.fullYearOnly)) return null;
  const year = yearText.length === 4 ? Number(yearText) : 2000 + Number(yearText);
  const ymd = `${year}-${part('month').padStart(2, '0')}-${part('day').padStart(2, '0')}`;
  return part('month').length <= 2 && part('day').length <= 2 && isYmd(ymd) ? ymd : null;
}

/** The days shown for `ymd`'s month: whole weeks starting on the locale's first day of the week. */
export function monthGrid(ymd: string, locale: string): string[][] {
  const first = utcDate(`${ymd.slice(0, 7)}-01`);
  const firstWeekday = weekStart(locale) % 7; // 0 = Sunday, as Date#getUTCDay
  const lead = (first.getUTCDay() - firstWeekday + 7) % 7;
  const start = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1 - lead);
  const daysInMonth = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  const weeks = Math.ceil((lead + daysInMonth) / 7);
  return Array.from({ length: weeks }, (_, w) =>
    Array.from({ length: 7 }, (_, d) => new Date(start + (w * 7 + d) * 86400_000).toISOString().slice(0, 10)),
  );
}

/** The locale's first day of the week, 1 = Monday … 7 = Sunday (Monday where the runtime cannot say). */
export function weekStart(locale: string): number {
  try {
    const info = new Intl.Locale(locale) as Intl.Locale & { getWeekInfo?: () => { firstDay: number }; weekInfo?: { firstDay: number } };
    return info.getWeekInfo?.().firstDay ?? info.weekInfo?.firstDay ?? 1;
  } catch {
    return 1;
  }
}

/** `ymd` moved by whole months, the day kept where the month allows it (31 January + 1 month = 28/29 February). */
export function addMonths(ymd: string, months: number): string {
  const [y, m, d] = ymd.split('-').map(Number);
  const lastDay = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + months, Math.min(d, lastDay))).toISOString().slice(0, 10);
}
