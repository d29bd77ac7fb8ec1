import { describe, expect, it } from 'vitest';
import { pageRange } from '~/lib/paging';
import {
  DEFAULT_ORDER_LIST_STATE,
  hasActiveFilters,
  nextPage,
  orderListSearch,
  ordersVariables,
  parseOrderListParams,
  previousPage,
  withFilters,
  type OrderListState,
} from '~/lib/order-filters';

const parse = (qs: string) => parseOrderListParams(new URLSearchParams(qs));

describe('parseOrderListParams', () => {
  it('gives the default view for an empty URL', () => {
    expect(parse('')).toEqual(DEFAULT_ORDER_LIST_STATE);
    expect(hasActiveFilters(parse(''))).toBe(false);
  });

  it('reads every filter', () => {
    expect(parse('status=PENDING,SHIPPED&payment=PAID&q=ada&from=2026-11-01&to=2026-11-30&sort=TOTAL_DESC&size=50&after=abc')).toEqual({
      status: ['PENDING', 'SHIPPED'],
      payment: ['PAID'],
      q: 'ada',
      from: '2026-11-01',
      to: '2026-11-30',
      sort: 'TOTAL_DESC',
      size: 50,
      after: 'abc',
      before: null,
      page: null,
    });
  });

  it('accepts repeated params and lower case, in canonical order, without duplicates', () => {
    expect(parse('status=shipped&status=pending,PENDING').status).toEqual(['PENDING', 'SHIPPED']);
  });

  it('ignores what it does not understand', () => {
    const state = parse('status=LOST,PAID&payment=NOPE&from=2026-02-30&to=yesterday&sort=RANDOM&size=7');
    expect(state.status).toEqual([]);
    expect(state.payment).toEqual([]);
    expect(state.from).toBeNull();
    expect(state.to).toBeNull();
    expect(state.sort).toBe('CREATED_AT_DESC');
    expect(state.size).toBe(20);
  });

  it('prefers `after` when both cursors are present', () => {
    const state = parse('after=a&before=b');
    expect(state.after).toBe('a');
    expect(state.before).toBeNull();
  });

  it('caps the search length', () => {
    expect(parse(`q=${'x'.repeat(500)}`).q).toHaveLength(200);
  });
});

describe('orderListSearch', () => {
  it('omits defaults', () => {
    expect(orderListSearch(DEFAULT_ORDER_LIST_STATE)).toBe('');
  });

  it('round-trips every valid state', () => {
    const states: OrderListState[] = [
      { ...DEFAULT_ORDER_LIST_STATE, status: ['PENDING', 'CANCELLED'], q: 'a&b=c ü', sort: 'NUMBER_DESC' },
      { ...DEFAULT_ORDER_LIST_STATE, payment: ['PAID', 'REFUNDED'], from: '2026-01-01', to: '2026-01-31', size: 100 },
      { ...DEFAULT_ORDER_LIST_STATE, before: 'Y3Vyc29yOjQy', page: 3 },
      { ...DEFAULT_ORDER_LIST_STATE, after: 'eyJ0IjoiMjAyNiJ9', q: 'LL-000042', page: null },
    ];
    for (const state of states) expect(parse(orderListSearch(state))).toEqual(state);
  });

  it('trims the search', () => {
    expect(orderListSearch({ ...DEFAULT_ORDER_LIST_STATE, q: '  ada  ' })).toBe('q=ada');
  });
});

describe('changing the view', () => {
  it('goes back to the first page when a filter changes', () => {
    const paged = nextPage(parse('status=PENDING'), 'cursor-1');
    expect(paged.after).toBe('cursor-1');
    const changed = withFilters(paged, { q: 'ada' });
    expect(changed.after).toBeNull();
    expect(changed.before).toBeNull();
    expect(changed.status).toEqual(['PENDING']);
  });

  it('pages backwards with `before`, and back to the plain list on page 1', () => {
    const third = nextPage(nextPage(DEFAULT_ORDER_LIST_STATE, 'end-1'), 'end-2');
    expect(third).toMatchObject({ after: 'end-2', page: 3 });
    const second = previousPage(third, 'start-3');
    expect(second).toMatchObject({ after: null, before: 'start-3', page: 2 });
    expect(previousPage(second, 'start-2')).toEqual(DEFAULT_ORDER_LIST_STATE);
  });

  it('says which rows are shown: "21–40 of 302"', () => {
    const second = nextPage(DEFAULT_ORDER_LIST_STATE, 'end');
    expect(pageRange(second, 20, 302)).toBe('21–40 of 302');
    expect(pageRange({ page: 16, size: 20 }, 2, 302)).toBe('301–302 of 302');
    expect(pageRange(DEFAULT_ORDER_LIST_STATE, 0, 0)).toBe('');
    // A shared link with a cursor but no page: the count only.
    expect(pageRange(parse('after=abc'), 20, 302)).toBe('20 of 302');
    expect(pageRange({ page: 2, size: 20 }, 20, 1302, (n) => new Intl.NumberFormat('en-US').format(n))).toBe('21–40 of 1,302');
  });
});

describe('ordersVariables', () => {
  it('asks for the first page with the sort', () => {
    expect(ordersVariables(DEFAULT_ORDER_LIST_STATE, 'UTC')).toEqual({ first: 20, sort: 'CREATED_AT_DESC' });
  });

  it('builds the filter, with whole days in the user time zone (to inclusive)', () => {
    const vars = ordersVariables(parse('status=PENDING&payment=PAID&q= ada &from=2026-07-01&to=2026-07-31'), 'Europe/Paris');
    expect(vars.filter).toEqual({
      status: ['PENDING'],
      paymentStatus: ['PAID'],
      search: 'ada',
      createdAfter: '2026-06-30T22:00:00.000Z',
      createdBefore: '2026-07-31T22:00:00.000Z',
    });
  });

  it('swaps a reversed range', () => {
    const vars = ordersVariables(parse('from=2026-03-10&to=2026-03-01'), 'UTC');
    expect(vars.filter).toEqual({ createdAfter: '2026-03-01T00:00:00.000Z', createdBefore: '2026-03-11T00:00:00.000Z' });
  });

  it('uses first/after forwards and last/before backwards', () => {
    expect(ordersVariables(parse('after=x&size=50'), 'UTC')).toEqual({ first: 50, after: 'x', sort: 'CREATED_AT_DESC' });
    expect(ordersVariables(parse('before=y'), 'UTC')).toEqual({ last: 20, before: 'y', sort: 'CREATED_AT_DESC' });
  });
});
