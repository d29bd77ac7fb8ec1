import { describe, expect, it } from 'vitest';
import { dateTimeFormat, numberFormat, ownLanguageName } from '~/lib/intl-cache';

describe('Intl formatters made once', () => {
  it('hands back the same formatter for the same locale and options, another for others', () => {
    expect(numberFormat('fr-FR', { style: 'currency', currency: 'EUR' })).toBe(numberFormat('fr-FR', { style: 'currency', currency: 'EUR' }));
    expect(numberFormat('fr-FR', { style: 'currency', currency: 'USD' })).not.toBe(numberFormat('fr-FR', { style: 'currency', currency: 'EUR' }));
    expect(dateTimeFormat('en-US', { timeZone: 'UTC' }).format(new Date(Date.UTC(2026, 11, 2)))).toBe('12/2/2026');
  });

  it('still refuses what Intl refuses, and caches nothing for it', () => {
    expect(() => numberFormat('fr-FR', { style: 'currency', currency: 'EURO' })).toThrow(RangeError);
    expect(() => numberFormat('fr-FR', { style: 'currency', currency: 'EURO' })).toThrow(RangeError);
  });

  it('stays bounded whatever locales and time zones the cookies bring', () => {
    const first = dateTimeFormat('en-US', { timeZone: 'Etc/GMT+1' });
    for (let i = 0; i < 300; i++) numberFormat('en-US', { minimumIntegerDigits: 1 + (i % 21), maximumFractionDigits: Math.floor(i / 21) });
    expect(dateTimeFormat('en-US', { timeZone: 'Etc/GMT+1' })).not.toBe(first);
  });

  it('names a locale in its own words, and a tag Intl cannot read by the tag itself', () => {
    expect(ownLanguageName('fr-FR')).toMatch(/^français/);
    expect(ownLanguageName('de-CH')).toBe('Schweizer Hochdeutsch');
    expect(ownLanguageName('not a locale!')).toBe('not a locale!');
  });
});
