import { describe, expect, it } from 'vitest';
import { EMPTY_FORM, canQuote, clearResolvedErrors, stockErrors, toCreateOrderInput, validateNewOrder, type NewOrderForm } from '~/lib/new-order';
import { PRESETS, parseStatsParams, presetState, rangeProblem, statsRange, statsSearch } from '~/lib/stats-range';
import { variablesKey } from '~/lib/variables-key';
import { newIdempotencyKey } from '~/lib/id';

const filled: NewOrderForm = {
  ...EMPTY_FORM,
  lines: [{ productId: 'p1', quantity: 2 }],
  email: ' ada@example.com ',
  name: 'Ada',
  address: { name: '', line1: '1 Rue de Rivoli', line2: '', city: 'Paris', postalCode: '75001', region: '', country: 'fr' },
  discountCode: 'WELCOME10',
  note: 'gift wrap',
};

describe('new order form', () => {
  it('builds the CreateOrderInput', () => {
    expect(toCreateOrderInput(filled)).toEqual({
      items: [{ productId: 'p1', quantity: 2 }],
      customer: { email: 'ada@example.com', name: 'Ada', phone: undefined },
      shippingAddress: { name: undefined, line1: '1 Rue de Rivoli', line2: undefined, city: 'Paris', postalCode: '75001', region: undefined, country: 'FR' },
      discountCode: 'WELCOME10',
      note: 'gift wrap',
    });
  });

  it('quotes a draft without an email or a complete address', () => {
    const draft = { ...EMPTY_FORM, lines: [{ productId: 'p1', quantity: 1 }] };
    const input = toCreateOrderInput(draft, true);
    expect(input.customer.email).toBe('quote.preview@example.com');
    expect(input.shippingAddress).toBeUndefined();
    expect(canQuote(draft)).toBe(true);
    expect(canQuote(EMPTY_FORM)).toBe(false);
  });

  it('validates inline', () => {
    expect(validateNewOrder(filled, new Map([['p1', 5]]))).toEqual({});
    const errors = validateNewOrder({ ...EMPTY_FORM, email: 'nope' }, new Map());
    expect(Object.keys(errors).sort()).toEqual([
      'customer.email',
      'items',
      'shippingAddress.city',
      'shippingAddress.country',
      'shippingAddress.line1',
      'shippingAddress.postalCode',
    ]);
    expect(validateNewOrder(filled, new Map([['p1', 1]]))['items.0.quantity']).toBe('Only 1 in stock.');
  });

  it('gives the same payload the same key, whatever the key order', () => {
    expect(variablesKey({ a: 1, b: { d: [1, 2], c: undefined } })).toBe(variablesKey({ b: { d: [1, 2] }, a: 1 }));
    expect(variablesKey({ a: 1 })).not.toBe(variablesKey({ a: 2 }));
  });

  it('makes v4 UUID idempotency keys', () => {
    const key = newIdempotencyKey();
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(key);
  });
});

describe('stats range in the URL', () => {
  const now = new Date('2026-11-20T10:00:00Z');

  it('defaults to the last 30 days', () => {
    expect(parseStatsParams(new URLSearchParams(''), 'UTC', now)).toEqual({ from: '2026-10-22', to: '2026-11-20', interval: 'DAY' });
  });

  it('round-trips a valid range', () => {
    const state = { from: '2026-01-01', to: '2026-03-31', interval: 'WEEK' as const };
    expect(parseStatsParams(new URLSearchParams(statsSearch(state)), 'UTC', now)).toEqual(state);
  });

  it('never swaps a reversed range silently, and never runs into the future', () => {
    expect(parseStatsParams(new URLSearchParams('from=2026-03-31&to=2026-01-01&interval=month'), 'UTC', now)).toEqual({
      from: '2026-10-22',
      to: '2026-11-20',
      interval: 'MONTH',
      issue: 'The link’s range was not valid (2026-03-31 to 2026-01-01); the last 30 days are shown instead.',
    });
    expect(parseStatsParams(new URLSearchParams('from=2026-11-01&to=2030-12-31&interval=week'), 'UTC', now)).toMatchObject({
      from: '2026-11-01',
      to: '2026-11-20',
      issue: expect.stringContaining('shown up to today'),
    });
    expect(rangeProblem('2026-11-10', '2026-11-01', '2026-11-20')).toEqual({ field: 'from', message: 'From must be on or before To.' });
    expect(rangeProblem('2026-11-01', '2026-11-21', '2026-11-20')?.field).toBe('to');
    expect(rangeProblem('2026-11-01', '2026-11-20', '2026-11-20')).toBeNull();
  });

  it('sends whole days in the user zone', () => {
    expect(statsRange({ from: '2026-11-01', to: '2026-11-30', interval: 'DAY' }, 'Europe/Paris')).toEqual({
      from: '2026-10-31T23:00:00.000Z',
      to: '2026-11-30T23:00:00.000Z',
      interval: 'DAY',
      timeZone: 'Europe/Paris',
    });
  });

  it('has presets ending today', () => {
    expect(presetState(PRESETS[0].days, 'DAY', 'UTC', now)).toEqual({ from: '2026-11-14', to: '2026-11-20', interval: 'DAY' });
  });
});

describe('new order errors follow the fields', () => {
  const stock = new Map([['p1', 725]]);
  const submitted = { ...EMPTY_FORM, lines: [{ productId: 'p1', quantity: 1 }] };
  const errors = validateNewOrder(submitted, stock);

  it('clears a field’s error as soon as it becomes valid, and only that one', () => {
    const typed = { ...submitted, email: 'ada@example.com' };
    const next = clearResolvedErrors(errors, submitted, typed, stock);
    expect(next['customer.email']).toBeUndefined();
    expect(next['shippingAddress.city']).toBe(errors['shippingAddress.city']);
  });

  it('keeps the error while the value is still wrong, with the current message', () => {
    const typing = { ...submitted, email: 'ada@' };
    expect(clearResolvedErrors(errors, submitted, typing, stock)['customer.email']).toBe('This does not look like an email address.');
  });

  it('keeps an API error on a field that was not edited', () => {
    const fromApi = { 'customer.phone': 'phone: must be at most 40 characters' };
    expect(clearResolvedErrors(fromApi, submitted, { ...submitted, name: 'Ada' }, stock)).toBe(fromApi);
  });

  it('says a line asks for more than the stock before any submit, in the person’s locale', () => {
    const tooMany = { ...submitted, lines: [{ productId: 'p1', quantity: 1999 }] };
    expect(stockErrors(tooMany, new Map([['p1', 1725]]), (n) => new Intl.NumberFormat('fr-FR').format(n))).toEqual({
      'items.0.quantity': 'Only 1\u202f725 in stock.',
    });
    expect(stockErrors({ ...tooMany, lines: [{ productId: 'p1', quantity: 999 }] }, stock)).toEqual({ 'items.0.quantity': 'Only 725 in stock.' });
  });
});
