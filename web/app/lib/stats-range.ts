import type { StatsInterval, StatsRange } from '~/gql/graphql';
import { addDays, isYmd, startOfDayInZone, todayInZone } from './dates';

/** The stats view in the URL: ?from=2026-10-01&to=2026-10-31&interval=WEEK (dates inclusive, user's zone). */
export const INTERVALS = ['DAY', 'WEEK', 'MONTH'] as const satisfies readonly StatsInterval[];

export interface StatsViewState {
  from: string;
  to: string;
  interval: StatsInterval;
  /** Why a link's range was not used as written (reversed, or running into the future); shown, never silent. */
  issue?: string;
}

export const PRESETS = [
  { id: '7d', label: 'Last 7 days', days: 7, interval: 'DAY' },
  { id: '30d', label: 'Last 30 days', days: 30, interval: 'DAY' },
  { id: '90d', label: 'Last 90 days', days: 90, interval: 'WEEK' },
  { id: '12m', label: 'Last 12 months', days: 365, interval: 'MONTH' },
] as const satisfies readonly { id: string; label: string; days: number; interval: StatsInterval }[];

export function presetState(days: number, interval: StatsInterval, timeZone: string, now = new Date()): StatsViewState {
  const to = todayInZone(timeZone, now);
  return { from: addDays(to, -(days - 1)), to, interval };
}

/** What is wrong with a range typed or linked, in words for the field at fault; null when it can be shown. */
export function rangeProblem(from: string, to: string, today: string): { field: 'from' | 'to'; message: string } | null {
  if (to > today) return { field: 'to', message: 'To cannot be after today: there are no orders in the future yet.' };
  if (from > to) return { field: 'from', message: 'From must be on or before To.' };
  return null;
}

export function parseStatsParams(params: URLSearchParams, timeZone: string, now = new Date()): StatsViewState {
  const fallback = presetState(30, 'DAY', timeZone, now);
  const from = params.get('from');
  const to = params.get('to');
  const intervalRaw = params.get('interval')?.toUpperCase();
  const interval = (INTERVALS as readonly string[]).includes(intervalRaw ?? '') ? (intervalRaw as StatsInterval) : fallback.interval;
  if (!isYmd(from) || !isYmd(to)) return { ...fallback, interval };
  const problem = rangeProblem(from, to, fallback.to);
  if (!problem) return { from, to, interval };
  // A range running past today ends today; a reversed one is not guessed at: the last 30 days are shown, and why.
  if (problem.field === 'to' && from <= fallback.to) {
    return { from, to: fallback.to, interval, issue: `The link’s range ended after today (${to}); it is shown up to today.` };
  }
  return { ...fallback, interval, issue: `The link’s range was not valid (${from} to ${to}); the last 30 days are shown instead.` };
}

export function statsSearch(state: StatsViewState): string {
  return new URLSearchParams({ from: state.from, to: state.to, interval: state.interval }).toString();
}

export function statsRange(state: StatsViewState, timeZone: string): StatsRange {
  return {
    from: startOfDayInZone(state.from, timeZone),
    to: startOfDayInZone(addDays(state.to, 1), timeZone),
    interval: state.interval,
    timeZone,
  };
}

/** The preset matching a state (for the selected button), if any. */
export function matchingPreset(state: StatsViewState, timeZone: string, now = new Date()) {
  return PRESETS.find((p) => {
    const s = presetState(p.days, p.interval, timeZone, now);
    return s.from === state.from && s.to === state.to;
  });
}
