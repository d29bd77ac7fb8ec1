import { describe, expect, it } from 'vitest';
import { addMonths, datePartOrder, formatDateInput, monthGrid, parseDateInput } from '~/lib/date-input';

describe('date inputs in the person’s locale', () => {
  it('writes a date as the locale does', () => {
    expect(formatDateInput('2026-12-02', 'fr-FR')).toBe('02/12/2026');
    expect(formatDateInput('2026-12-02', 'en-US')).toBe('12/2/2026');
    expect(formatDateInput('2026-12-02', 'de-DE')).toBe('2.12.2026');
    expect(formatDateInput(null, 'fr-FR')).toBe('');
  });

  it('reads back what it writes, in every order', () => {
    for (const locale of ['fr-FR', 'en-US', 'de-DE', 'en-GB', 'ja-JP', 'ar-EG']) {
      expect(parseDateInput(formatDateInput('2026-12-02', locale), locale)).toBe('2026-12-02');
    }
    expect(datePartOrder('en-US')).toEqual(['month', 'day', 'year']);
    expect(datePartOrder('fr-FR')).toEqual(['day', 'month', 'year']);
  });

  it('reads loose typing and ISO dates', () => {
    expect(parseDateInput('2/12/2026', 'fr-FR')).toBe('2026-12-02');
    expect(parseDateInput(' 2-12-2026 ', 'fr-FR')).toBe('2026-12-02');
    expect(parseDateInput('2026-12-02', 'en-US')).toBe('2026-12-02');
    expect(parseDateInput('12/2/26', 'en-US')).toBe('2026-12-02');
    expect(parseDateInput('12/2/26', 'en-US', { fullYearOnly: true })).toBeNull();
  });

  it('refuses what is not a real date', () => {
    for (const text of ['', '31/02/2026', '12/31/2026', '1/2', 'tomorrow', '01/01/202', '001/01/2026']) {
      expect(parseDateInput(text, 'fr-FR')).toBeNull();
    }
    expect(parseDateInput('12/31/2026', 'en-US')).toBe('2026-12-31');
  });

  it('lays a month out in whole weeks from the locale’s first weekday', () => {
    const fr = monthGrid('2026-12-15', 'fr-FR');
    expect(fr[0][0]).toBe('2026-11-30'); // a Monday
    expect(fr.flat()).toContain('2026-12-31');
    expect(fr.every((week) => week.length === 7)).toBe(true);
    expect(monthGrid('2026-12-15', 'en-US')[0][0]).toBe('2026-11-29'); // a Sunday
  });

  it('moves by months without overflowing short ones', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-03-15', -3)).toBe('2025-12-15');
  });
});
