import { describe, expect, it } from 'vitest';
import { addDays, isYmd, localeFromAcceptLanguage, startOfDayInZone, todayInZone } from '~/lib/dates';

describe('dates', () => {
  it('validates calendar dates', () => {
    expect(isYmd('2026-02-28')).toBe(true);
    expect(isYmd('2028-02-29')).toBe(true);
    expect(isYmd('2026-02-29')).toBe(false);
    expect(isYmd('2026-13-01')).toBe(false);
    expect(isYmd('26-01-01')).toBe(false);
    expect(isYmd(null)).toBe(false);
  });

  it('adds days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('finds the start of a day in a time zone, across DST changes', () => {
    expect(startOfDayInZone('2026-01-15', 'UTC')).toBe('2026-01-15T00:00:00.000Z');
    expect(startOfDayInZone('2026-01-15', 'Europe/Paris')).toBe('2026-01-14T23:00:00.000Z');
    expect(startOfDayInZone('2026-07-15', 'Europe/Paris')).toBe('2026-07-14T22:00:00.000Z');
    expect(startOfDayInZone('2026-03-29', 'Europe/Paris')).toBe('2026-03-28T23:00:00.000Z'); // DST starts at 02:00
    expect(startOfDayInZone('2026-03-30', 'Europe/Paris')).toBe('2026-03-29T22:00:00.000Z');
    expect(startOfDayInZone('2026-11-01', 'America/New_York')).toBe('2026-11-01T04:00:00.000Z'); // DST ends at 02:00
    expect(startOfDayInZone('2026-06-01', 'Asia/Tokyo')).toBe('2026-05-31T15:00:00.000Z');
    expect(startOfDayInZone('2026-06-01', 'Asia/Kolkata')).toBe('2026-05-31T18:30:00.000Z');
  });

  it('knows today in a zone', () => {
    const now = new Date('2026-06-01T23:30:00Z');
    expect(todayInZone('UTC', now)).toBe('2026-06-01');
    expect(todayInZone('Asia/Tokyo', now)).toBe('2026-06-02');
    expect(todayInZone('America/Los_Angeles', now)).toBe('2026-06-01');
  });

  it('picks the preferred supported locale', () => {
    expect(localeFromAcceptLanguage('fr-CH,fr;q=0.9,en;q=0.8')).toBe('fr-CH');
    expect(localeFromAcceptLanguage('en;q=0.5,de-DE;q=0.9')).toBe('de-DE');
    expect(localeFromAcceptLanguage('*')).toBe('en-US');
    expect(localeFromAcceptLanguage(null)).toBe('en-US');
  });
});
