/**
 * Why each mutant still alive after the last run is left alive, matched by file, the original text and the
 * replacement (not by line, which moves). docs/mutation.md prints the reason beside the mutant; a survivor without one
 * is flagged there, to be killed by a test or explained here.
 */
interface Survivor {
  file: string;
  original: string;
  replacement: string;
  why: string;
}

const V8_STABLE_SORT =
  'Equivalent on V8: Array.prototype.sort is stable and compares a later element with an earlier one, so answering "after" for a tie keeps the input order, which is the documented tie rule. The property "ties to the earlier line" (properties/pricing.test.ts) checks the outcome and passes with this mutant.';

const V8_SORTS_BY_NEGATIVE =
  'Equivalent on V8: for arrays this short (an order has at most MAX_LINES = 100 lines) Array.prototype.sort only asks whether the comparator is negative, so answering 0 instead of 1 when a > b sorts the same (checked on 100 shuffled ids).';
const DISTINCT_IDS = 'Equivalent: the ids sorted are the distinct keys of a Map, so the comparator never meets a === b, the only case this changes.';

const GROUPED_AWAY =
  'Equivalent: in a row of another grouping set this column is NULL (grouped away), and only named statuses are looked up in the map built from these rows, so keeping the other rows changes no count.';

const SURVIVORS: Survivor[] = [
  {
    file: 'src/stats/stats.service.ts',
    original: 'range.interval.toLowerCase()',
    replacement: 'range.interval.toUpperCase()',
    why: "Equivalent: the unit is only inlined into SQL (date_trunc('day', …), interval '1 day'), where PostgreSQL reads it in any case.",
  },
  { file: 'src/stats/stats.service.ts', original: 'breakdownRows.filter((r) => r.by_status)', replacement: 'breakdownRows', why: GROUPED_AWAY },
  { file: 'src/stats/stats.service.ts', original: 'breakdownRows.filter((r) => !r.by_currency && !r.by_status)', replacement: 'breakdownRows', why: GROUPED_AWAY },
  { file: 'src/stats/stats.service.ts', original: '!r.by_currency && !r.by_status', replacement: 'true', why: GROUPED_AWAY },
  { file: 'src/stats/stats.service.ts', original: '!r.by_currency && !r.by_status', replacement: '!r.by_currency || !r.by_status', why: GROUPED_AWAY },
  { file: 'src/products/stock.service.ts', original: 'a > b', replacement: 'false', why: V8_SORTS_BY_NEGATIVE },
  { file: 'src/products/stock.service.ts', original: 'a > b', replacement: 'a <= b', why: V8_SORTS_BY_NEGATIVE },
  { file: 'src/products/stock.service.ts', original: 'a > b', replacement: 'a >= b', why: DISTINCT_IDS },
  { file: 'src/products/stock.service.ts', original: 'a > b', replacement: 'true', why: DISTINCT_IDS },
  { file: 'src/products/stock.service.ts', original: 'a < b', replacement: 'a <= b', why: DISTINCT_IDS },
  { file: 'src/orders/pricing.ts', original: 'a.remainder === b.remainder', replacement: 'false', why: V8_STABLE_SORT },
  { file: 'src/orders/pricing.ts', original: 'a.index - b.index', replacement: 'a.index + b.index', why: V8_STABLE_SORT },
  {
    file: 'src/orders/pricing.ts',
    original: 'a.remainder > b.remainder',
    replacement: 'a.remainder >= b.remainder',
    why: 'Equivalent: equal remainders are decided by the branch before, so `>=` never sees them.',
  },
  {
    file: 'src/orders/idempotency.ts',
    original: 'a < b',
    replacement: 'a <= b',
    why: 'Equivalent: the keys sorted are the distinct keys of one object, so the comparator never meets a === b.',
  },
  {
    file: 'src/orders/pricing.ts',
    original: 'discountTotal > subtotal',
    replacement: 'discountTotal >= subtotal',
    why: 'Equivalent: when the discount equals the subtotal, capping it assigns the same value.',
  },
];

export function explainSurvivor(file: string, original: string, replacement: string): string | null {
  const match = SURVIVORS.find((s) => s.file === file && original.includes(s.original) && replacement === s.replacement);
  return match?.why ?? null;
}
