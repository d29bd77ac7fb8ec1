import { parseStatsRange } from '../../src/stats/stats.service';

/** The range rules of orderStats, on their own: which ranges are refused, on which field, and what the defaults are. */
const DAY = 86_400_000;
const from = new Date('2026-01-01T00:00:00Z');
const after = (ms: number) => new Date(from.getTime() + ms);

function refusal(range: Parameters<typeof parseStatsRange>[0]) {
  try {
    parseStatsRange(range);
  } catch (error: any) {
    return { code: error.code, field: error.details?.field };
  }
  return null;
}

describe('parseStatsRange', () => {
  it('defaults to days in UTC, and a blank time zone means UTC', () => {
    expect(parseStatsRange({ from, to: after(DAY) })).toEqual({ from, to: after(DAY), interval: 'DAY', timeZone: 'UTC' });
    expect(parseStatsRange({ from, to: after(DAY), timeZone: '  ' }).timeZone).toBe('UTC');
    expect(parseStatsRange({ from, to: after(DAY), interval: 'WEEK', timeZone: ' Europe/Paris ' })).toMatchObject({
      interval: 'WEEK',
      timeZone: 'Europe/Paris',
    });
  });

  it('refuses dates that are not dates, on the field that holds them', () => {
    expect(refusal({ from: new Date('nope'), to: after(DAY) })).toEqual({ code: 'BAD_USER_INPUT', field: 'range.from' });
    expect(refusal({ from, to: new Date('nope') })).toEqual({ code: 'BAD_USER_INPUT', field: 'range.to' });
    expect(refusal({ from: '2026-01-01' as any, to: after(DAY) })).toEqual({ code: 'BAD_USER_INPUT', field: 'range.from' });
    expect(refusal({ from, to: '2026-02-01' as any })).toEqual({ code: 'BAD_USER_INPUT', field: 'range.to' });
  });

  it('needs `to` after `from`: an empty or reversed range is refused on range.to; one millisecond is enough', () => {
    expect(refusal({ from, to: from })).toEqual({ code: 'BAD_USER_INPUT', field: 'range.to' });
    expect(refusal({ from: after(DAY), to: from })).toEqual({ code: 'BAD_USER_INPUT', field: 'range.to' });
    expect(refusal({ from, to: after(1) })).toBeNull();
  });

  it('refuses a time zone that is not an IANA zone', () => {
    expect(refusal({ from, to: after(DAY), timeZone: 'Mars/Olympus_Mons' })).toEqual({ code: 'BAD_USER_INPUT', field: 'range.timeZone' });
  });

  it('checks each zone the same way on every request: valid ones remembered, invalid ones always refused', () => {
    for (let i = 0; i < 3; i++) {
      expect(refusal({ from, to: after(DAY), timeZone: 'Asia/Kathmandu' })).toBeNull();
      expect(refusal({ from, to: after(DAY), timeZone: 'Asia/Katmandu_' })).toEqual({ code: 'BAD_USER_INPUT', field: 'range.timeZone' });
    }
    // More spellings of valid zones than are remembered: the oldest are forgotten, none is refused for it.
    const letters = (i: number) => {
      let bit = 0;
      return [...'america/argentina/buenos_aires'].map((c) => (/[a-z]/.test(c) && (i >> bit++) & 1 ? c.toUpperCase() : c)).join('');
    };
    const spellings = Array.from({ length: 1_100 }, (_, i) => letters(i));
    expect(new Set(spellings).size).toBe(1_100);
    for (const timeZone of [...spellings, ...spellings]) expect(refusal({ from, to: after(DAY), timeZone })).toBeNull();
    expect(refusal({ from, to: after(DAY), timeZone: 'Mars/Olympus_Mons' })).toEqual({ code: 'BAD_USER_INPUT', field: 'range.timeZone' });
  });

  it('allows up to 1,000 buckets of the chosen interval, and refuses one more', () => {
    expect(refusal({ from, to: after(1000 * DAY) })).toBeNull();
    expect(refusal({ from, to: after(1000 * DAY + 1) })).toEqual({ code: 'BAD_USER_INPUT', field: 'range' });
    expect(refusal({ from, to: after(7000 * DAY), interval: 'WEEK' })).toBeNull();
    expect(refusal({ from, to: after(7000 * DAY + 1), interval: 'WEEK' })).toEqual({ code: 'BAD_USER_INPUT', field: 'range' });
    expect(refusal({ from, to: after(28_000 * DAY), interval: 'MONTH' })).toBeNull();
    expect(refusal({ from, to: after(28_000 * DAY + 1), interval: 'MONTH' })).toEqual({ code: 'BAD_USER_INPUT', field: 'range' });
  });
});
