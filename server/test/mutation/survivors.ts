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

const NO_PRODUCT_ROW =
  'Equivalent in outcome: when none of the checkout\'s products exists, the left join returns one row of NULLs; kept, it maps to a product without an id, which no line\'s productId matches, so every line is still reported missing from the catalog.';

const READ_AHEAD_ONLY =
  'Equivalent in outcome: the best sellers selected in the document are then read by a statement of their own instead of with the rest (one more round trip, the same rows; stats-rules.test.ts compares each part alone with the whole).';

const GROUPED_AWAY =
  'Equivalent: in a row of another grouping set this column is NULL (grouped away), and only named statuses are looked up in the map built from these rows, so keeping the other rows changes no count.';

const PREFIX_ENDS_AT_PLACEHOLDER =
  'Equivalent: the text tested is the statement up to and including its first `?`, so a match that ends with `\\?` already ends at the end of the text; the `$` adds nothing.';
/** shared/sql.ts's SCOPED_PREFIXES, as written there. */
const SCOPED_PREFIXES = [
  String.raw`/\bbrand_id\s*=\s*\?$/i`,
  String.raw`/^\s*insert\s+into\s+\w+\s*\(\s*brand_id\s*,[^?]*\bvalues\s*\(\s*\?$/i`,
  String.raw`/^\s*update\s+brands\s+set\b[^?]*\bwhere\s+id\s*=\s*\?$/i`,
  String.raw`/^\s*select\b[^?]*\bfrom\s+brands\s+where\s+id\s*=\s*\?$/i`,
  String.raw`/^\s*select\b[^?(]*\bfrom\s+\w+\(\s*brand_id\s*=>\s*\?$/i`,
  String.raw`/^\s*select\s+\(\w+\)\.\*[^?(]*\bfrom\s+\w+\(\s*brand_id\s*=>\s*\?$/i`,
];
const NO_PREFIX_MATCHES = 'Equivalent: without a placeholder (or with one at the very start) the prefix tested is empty or `?`, which no scoped pattern matches, so the statement is refused either way.';
const FORK_DEFAULTS =
  "Equivalent: MikroORM's fork already defaults to clear: true, and useContext only matters inside MikroORM's own request context, which this app never opens (the ORM config sets allowGlobalContext: false and no code creates one).";

const KEYLESS_PAYMENT =
  'Equivalent in outcome: with neither a checkout reference nor a PaymentIntent, the statement compares both columns with NULL and matches no order, so the payment still finds none; the guard only saves that round trip.';
const BREAKDOWNS_UNREAD =
  'Equivalent in outcome: the best sellers alone would also compute the breakdowns, which this caller never reads (the same best sellers; stats-rules.test.ts compares each part alone with the whole).';

const PIPELINED = 'src/db/pipelined-transaction.ts';

const SURVIVORS: Survivor[] = [
  { file: 'src/orders/order-payments.ts', original: 'checkoutRef || paymentIntentId', replacement: 'true', why: KEYLESS_PAYMENT },
  { file: 'src/stats/stats-rollup.ts', original: 'false', replacement: 'true', why: BREAKDOWNS_UNREAD },
  ...SCOPED_PREFIXES.map((pattern) => ({
    file: 'src/shared/sql.ts',
    // The report shortens long snippets, so the start of the pattern identifies it; the replacement is exact.
    original: pattern.slice(0, 40),
    replacement: pattern.replace('$/i', '/i'),
    why: PREFIX_ENDS_AT_PLACEHOLDER,
  })),
  { file: 'src/shared/sql.ts', original: 'firstPlaceholder < 0', replacement: 'false', why: NO_PREFIX_MATCHES },
  { file: 'src/shared/sql.ts', original: 'firstPlaceholder < 0', replacement: 'firstPlaceholder <= 0', why: NO_PREFIX_MATCHES },
  {
    file: 'src/shared/sql.ts',
    original: '[]',
    replacement: '["Stryker was here"]',
    why: 'Equivalent: MikroORM fills the placeholders one by one and ignores parameters left over, so a default list holding a value no placeholder asks for changes no statement (tenancy-helpers.test.ts calls scopedSql without params and checks the rows).',
  },
  {
    file: 'src/shared/sql.ts',
    original: 'keys.length === 0',
    replacement: 'false',
    why: 'Equivalent in outcome: with no keys the statement is a bare `select`, which PostgreSQL accepts (an empty target list) and which locks nothing; the early return only saves that round trip.',
  },
  ...['Math.random() * 20 / attempt', 'Math.random() / 20'].map((replacement) => ({
    file: 'src/shared/request-context.ts',
    original: 'Math.random() * 20',
    replacement,
    why: 'Equivalent in outcome: the wait before a retry only spreads two colliding writers apart in time; any short non-negative wait runs the same retry, and tests assert no timings (tenancy-helpers.test.ts checks the retries themselves).',
  })),
  { file: 'src/shared/request-context.ts', original: '{ clear: true, useContext: false }', replacement: '{}', why: FORK_DEFAULTS },
  { file: 'src/shared/request-context.ts', original: 'false', replacement: 'true', why: FORK_DEFAULTS },
  {
    file: PIPELINED,
    original: '{ clear: true, useContext: false }',
    replacement: '{}',
    why: "Equivalent: these are MikroORM's defaults for a fork (EntityManager.fork sets clear ??= true, useContext ??= false). Each is pinned apart by a test: pipelined-transaction.test.ts checks that the transaction's EntityManager starts empty, and that inside another EntityManager's transaction it runs in its own.",
  },
  {
    file: PIPELINED,
    original: 'uow.getExtraUpdates().size > 0',
    replacement: 'false',
    why: "Equivalent: MikroORM 6.6 schedules an extra update only while computing the change set of an entity it inserts or updates (a reference written after the insert, or a self-referencing collection of a new entity), so the change sets counted before it are never empty then.",
  },
  {
    file: PIPELINED,
    original: '!before && !after',
    replacement: 'false',
    why: "Equivalent: with nothing added, the statement goes through the same result handler, which hands the caller the driver's answer unchanged (a lone result as it is, several as a list of the same results); the shortcut only saves wrapping the callback.",
  },
  {
    file: PIPELINED,
    original: '[result]',
    replacement: '[]',
    why: "Equivalent: the handler runs only when BEGIN or COMMIT rides with the statement, so the driver answers a list (one result per statement) unless PostgreSQL ran a single command — the added BEGIN or COMMIT, the caller's text holding none — and then the caller's share is empty either way: slicing that one off [result] or off [] leaves [].",
  },
  {
    file: 'src/stats/stats.service.ts',
    original: 'range.interval.toLowerCase()',
    replacement: 'range.interval.toUpperCase()',
    why: "Equivalent: the unit is only inlined into SQL (date_trunc('day', …), interval '1 day'), where PostgreSQL reads it in any case.",
  },
  {
    file: 'src/orders/order-payments.ts',
    original: '!checkoutRef && !paymentIntentId',
    replacement: 'false',
    why: 'Equivalent in outcome: without either key the statement compares both columns with NULL, which matches no order, so the answer is null either way; the guard only saves that round trip.',
  },
  { file: 'src/orders/order-payments.ts', original: '.filter((row) => row.id !== null)', replacement: 'rows', why: NO_PRODUCT_ROW },
  { file: 'src/orders/order-payments.ts', original: 'row.id !== null', replacement: 'true', why: NO_PRODUCT_ROW },
  {
    file: 'src/orders/order-payments.ts',
    original: 'rows[0]?.existing_id',
    replacement: 'rows[0].existing_id',
    why: 'Equivalent: the statement selects from a one-row VALUES left-joined to the products, so it always returns at least one row.',
  },
  {
    file: 'src/stats/stats.service.ts',
    original: 'parts.topProductsLimit !== null && validLimit(parts.topProductsLimit)',
    replacement: 'false',
    why: READ_AHEAD_ONLY,
  },
  { file: 'src/stats/stats.service.ts', original: 'limit === readAhead', replacement: 'false', why: READ_AHEAD_ONLY },
  {
    file: 'src/stats/stats.service.ts',
    original: 'parts.breakdowns || parts.series || readAhead !== null',
    replacement: 'true',
    why: 'Equivalent in outcome: with nothing selected the statement would run and its answer go unread; the guard only saves that round trip.',
  },
  { file: 'src/stats/stats.service.ts', original: 'breakdown.filter((r) => r.by_status)', replacement: 'breakdown', why: GROUPED_AWAY },
  { file: 'src/stats/stats.service.ts', original: 'breakdown.filter((r) => !r.by_currency && !r.by_status)', replacement: 'breakdown', why: GROUPED_AWAY },
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
    file: 'src/orders/order-payments.ts',
    original: '{ id: { $in: ids } }',
    replacement: '{}',
    why: "Equivalent in outcome: the brand filter still applies, so the query returns every product of the brand, a superset of those asked for, and only those asked for are looked up in the map (it costs a larger read).",
  },
  {
    file: 'src/orders/order-payments.ts',
    original: '{ $in: ids }',
    replacement: '{}',
    why: "Equivalent in outcome: the brand filter still applies, so the query returns every product of the brand, a superset of those asked for, and only those asked for are looked up in the map (it costs a larger read).",
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
