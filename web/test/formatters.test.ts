import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime } from '~/lib/dates';
import { createFormatters } from '~/lib/locale';
import { formatMoney } from '~/lib/money';

// The page's per-render formatters resolve each Intl object once; they must print exactly what the helpers print.
const locales = ['en-US', 'fr-FR', 'de-CH', 'ja-JP', 'ar-EG', 'hi-IN'];
const zones = ['UTC', 'Europe/Paris', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns'];
const instants = ['2026-03-29T00:59:59.000Z', '2026-03-29T01:00:00.000Z', '2026-11-01T06:30:00.000Z', '2024-02-29T23:45:00.000Z'];
const amounts: [number, string][] = [[0, 'EUR'], [-5, 'EUR'], [11745, 'USD'], [123456789012, 'JPY'], [1234567, 'KWD'], [99, 'CHF']];

describe('createFormatters', () => {
  it('formats dates and times like formatDateTime and formatDate', () => {
    for (const locale of locales)
      for (const zone of zones) {
        const fmt = createFormatters(locale, zone);
        for (const iso of instants) {
          expect(fmt.dateTime(iso)).toBe(formatDateTime(iso, locale, zone));
          expect(fmt.date(iso)).toBe(formatDate(iso, locale, zone));
        }
      }
  });

  it('formats money like formatMoney, whatever the order the currencies come in', () => {
    for (const locale of locales) {
      const fmt = createFormatters(locale, 'UTC');
      for (const [amount, currency] of [...amounts, ...amounts.slice().reverse()]) {
        expect(fmt.money(amount, currency)).toBe(formatMoney(amount, currency, locale));
        expect(fmt.amount({ amount, currency })).toBe(formatMoney(amount, currency, locale));
      }
    }
  });

  it('keeps the locale and time zone it was made for', () => {
    const fmt = createFormatters('fr-FR', 'Asia/Kolkata');
    expect(fmt.locale).toBe('fr-FR');
    expect(fmt.timeZone).toBe('Asia/Kolkata');
    expect(fmt.number(1234567)).toBe(new Intl.NumberFormat('fr-FR').format(1234567));
    expect(fmt.dateTime('2026-01-01T00:00:00.000Z')).not.toBe(createFormatters('fr-FR', 'UTC').dateTime('2026-01-01T00:00:00.000Z'));
  });
});
