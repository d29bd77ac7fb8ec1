import { describe, expect, it } from 'vitest';
import { discountCodeStatus, discountValidity } from '~/lib/labels';

const now = new Date('2026-11-24T12:00:00Z');
const base = { active: true, timesUsed: 0 };

describe('discountCodeStatus', () => {
  it('says what a code does at checkout now, not just its switch', () => {
    expect(discountCodeStatus(base, now).label).toBe('Active');
    expect(discountCodeStatus({ ...base, active: false, validUntil: '2020-01-01T00:00:00Z' }, now).label).toBe('Inactive');
    expect(discountCodeStatus({ ...base, validUntil: '2026-10-25T00:00:00Z' }, now).label).toBe('Expired');
    expect(discountCodeStatus({ ...base, validUntil: '2026-11-24T12:00:00Z' }, now).label).toBe('Expired');
    expect(discountCodeStatus({ ...base, validFrom: '2026-12-01T00:00:00Z' }, now)).toEqual({ label: 'Scheduled', tone: 'blue' });
    expect(discountCodeStatus({ ...base, usageLimit: 3, timesUsed: 3 }, now).label).toBe('Used up');
    expect(discountCodeStatus({ ...base, usageLimit: 3, timesUsed: 2 }, now).label).toBe('Active');
  });
});

describe('discountValidity', () => {
  const day = (iso: string) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));

  it('never reads as a range with a missing end', () => {
    expect(discountValidity(base, day, now)).toBe('Always');
    expect(discountValidity({ ...base, validUntil: '2026-12-03T00:00:00Z' }, day, now)).toBe('Until 2 Dec 2026');
    expect(discountValidity({ ...base, validFrom: '2026-12-01T00:00:00Z' }, day, now)).toBe('From 1 Dec 2026');
    expect(discountValidity({ ...base, validFrom: '2026-12-01T00:00:00Z', validUntil: '2027-01-01T00:00:00Z' }, day, now)).toBe(
      '1 Dec 2026 to 31 Dec 2026',
    );
  });

  it('says an expired code ended, on its last day', () => {
    expect(discountValidity({ ...base, validUntil: '2026-11-03T00:00:00Z' }, day, now)).toBe('Ended 2 Nov 2026');
  });
});
