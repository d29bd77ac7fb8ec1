/**
 * Intl formatters, made once per locale and options. Constructing one costs 100–400 µs (it loads locale data) and
 * formatting with it about 1 µs: the orders page formats a date and an amount per row, so building them per call was a
 * noticeable part of each server render. Bounded, because locale and time zone come from cookies.
 */
const MAX_ENTRIES = 256;
const formatters = new Map<string, unknown>();

function cached<T>(key: string, make: () => T): T {
  let formatter = formatters.get(key) as T | undefined;
  if (formatter === undefined) {
    if (formatters.size >= MAX_ENTRIES) formatters.clear();
    formatter = make();
    formatters.set(key, formatter);
  }
  return formatter;
}

export function dateTimeFormat(locale: string | undefined, options: Intl.DateTimeFormatOptions = {}): Intl.DateTimeFormat {
  return cached(`d|${locale}|${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(locale, options));
}

export function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  return cached(`n|${locale}|${JSON.stringify(options)}`, () => new Intl.NumberFormat(locale, options));
}

export function languageNames(locale: string): Intl.DisplayNames {
  return cached(`l|${locale}`, () => new Intl.DisplayNames([locale], { type: 'language' }));
}

/**
 * A locale's name in its own words ("français (France)"), or the tag itself where it has none. Kept like the formatters:
 * each lookup costs about 20 µs, and the locale picker in every page's header names ten of them.
 */
export function ownLanguageName(locale: string): string {
  return cached(`L|${locale}`, () => {
    try {
      return languageNames(locale).of(locale) ?? locale;
    } catch {
      return locale;
    }
  });
}
