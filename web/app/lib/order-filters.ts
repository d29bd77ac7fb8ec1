import type { OrderSort, OrderStatus, OrdersQueryVariables, PaymentStatus } from '~/gql/graphql';
import { addDays, isYmd, startOfDayInZone } from './dates';

/**
 * The orders list view lives in the URL, so a view can be bookmarked and shared.
 * `parseOrderListParams` and `orderListSearch` are inverse: parse(search(s)) == s for every valid state.
 *
 *   ?status=PENDING,PROCESSING&payment=PAID&q=ada&from=2026-11-01&to=2026-11-30&sort=TOTAL_DESC&after=<cursor>
 */

export const ORDER_STATUSES = ['PENDING', 'PROCESSING', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const satisfies readonly OrderStatus[];
export const PAYMENT_STATUSES = [
  'AWAITING_PAYMENT',
  'PAID',
  'PAYMENT_FAILED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
] as const satisfies readonly PaymentStatus[];
export const ORDER_SORTS = ['CREATED_AT_DESC', 'CREATED_AT_ASC', 'TOTAL_DESC', 'TOTAL_ASC', 'NUMBER_DESC'] as const satisfies readonly OrderSort[];

export const DEFAULT_SORT: OrderSort = 'CREATED_AT_DESC';
export const PAGE_SIZES = [20, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 20;
const MAX_SEARCH = 200;

export interface OrderListState {
  status: OrderStatus[];
  payment: PaymentStatus[];
  q: string;
  from: string | null;
  to: string | null;
  sort: OrderSort;
  size: number;
  /** Cursor of the last row of the previous page (forward paging). */
  after: string | null;
  /** Cursor of the first row of the next page (backward paging). */
  before: string | null;
  /** Which page a cursor leads to (1-based), to say "21–40 of 302"; null when a shared link does not say. */
  page: number | null;
}

export const DEFAULT_ORDER_LIST_STATE: OrderListState = {
  status: [],
  payment: [],
  q: '',
  from: null,
  to: null,
  sort: DEFAULT_SORT,
  size: DEFAULT_PAGE_SIZE,
  after: null,
  before: null,
  page: 1,
};

function pickList<T extends string>(raw: string[], allowed: readonly T[]): T[] {
  const wanted = new Set(raw.flatMap((v) => v.split(',')).map((v) => v.trim().toUpperCase()));
  // Keep the canonical order so equal filters give equal URLs.
  return allowed.filter((value) => wanted.has(value));
}

export function parseOrderListParams(params: URLSearchParams): OrderListState {
  const sortRaw = params.get('sort')?.toUpperCase();
  const sizeRaw = Number(params.get('size'));
  const after = params.get('after') || null;
  const before = after ? null : params.get('before') || null;
  const from = params.get('from');
  const to = params.get('to');
  const pageRaw = Number(params.get('page'));
  const page = !after && !before ? 1 : Number.isSafeInteger(pageRaw) && pageRaw > 1 ? pageRaw : null;
  return {
    status: pickList(params.getAll('status'), ORDER_STATUSES),
    payment: pickList(params.getAll('payment'), PAYMENT_STATUSES),
    q: (params.get('q') ?? '').slice(0, MAX_SEARCH),
    from: isYmd(from) ? from : null,
    to: isYmd(to) ? to : null,
    sort: (ORDER_SORTS as readonly string[]).includes(sortRaw ?? '') ? (sortRaw as OrderSort) : DEFAULT_SORT,
    size: (PAGE_SIZES as readonly number[]).includes(sizeRaw) ? sizeRaw : DEFAULT_PAGE_SIZE,
    after,
    before,
    page,
  };
}

/** The canonical query string of a state (defaults omitted, stable order), without the leading "?". */
export function orderListSearch(state: OrderListState): string {
  const params = new URLSearchParams();
  if (state.status.length) params.set('status', state.status.join(','));
  if (state.payment.length) params.set('payment', state.payment.join(','));
  const q = state.q.trim();
  if (q) params.set('q', q);
  if (state.from) params.set('from', state.from);
  if (state.to) params.set('to', state.to);
  if (state.sort !== DEFAULT_SORT) params.set('sort', state.sort);
  if (state.size !== DEFAULT_PAGE_SIZE) params.set('size', String(state.size));
  if (state.after) params.set('after', state.after);
  else if (state.before) params.set('before', state.before);
  if ((state.after || state.before) && state.page && state.page > 1) params.set('page', String(state.page));
  return params.toString();
}

/** Applies a change of filters: any change other than paging starts again from the first page. */
export function withFilters(state: OrderListState, patch: Partial<Omit<OrderListState, 'after' | 'before'>>): OrderListState {
  return { ...state, ...patch, after: null, before: null, page: 1 };
}

export function nextPage(state: OrderListState, endCursor: string): OrderListState {
  return { ...state, after: endCursor, before: null, page: state.page ? state.page + 1 : null };
}

export function previousPage(state: OrderListState, startCursor: string): OrderListState {
  const page = state.page ? state.page - 1 : null;
  // Back on the first page: no cursor at all, so the URL is the list's own.
  return page === 1 ? { ...state, after: null, before: null, page } : { ...state, after: null, before: startCursor, page };
}


export function hasActiveFilters(state: OrderListState): boolean {
  return Boolean(state.status.length || state.payment.length || state.q.trim() || state.from || state.to);
}

/** GraphQL variables for a state; date bounds are whole days in the user's time zone (`to` inclusive). */
export function ordersVariables(state: OrderListState, timeZone: string): OrdersQueryVariables {
  let { from, to } = state;
  if (from && to && from > to) [from, to] = [to, from];
  const filter: NonNullable<OrdersQueryVariables['filter']> = {};
  if (state.status.length) filter.status = state.status;
  if (state.payment.length) filter.paymentStatus = state.payment;
  const q = state.q.trim();
  if (q) filter.search = q;
  if (from) filter.createdAfter = startOfDayInZone(from, timeZone);
  if (to) filter.createdBefore = startOfDayInZone(addDays(to, 1), timeZone);
  const variables: OrdersQueryVariables = { sort: state.sort };
  if (Object.keys(filter).length) variables.filter = filter;
  if (state.before) {
    variables.last = state.size;
    variables.before = state.before;
  } else {
    variables.first = state.size;
    if (state.after) variables.after = state.after;
  }
  return variables;
}
