import { requestHash, validateIdempotencyKey } from '../../src/orders/idempotency';

/** What makes two requests "the same input" for an idempotency key, and which keys are accepted. */
describe('requestHash', () => {
  it('ignores the order of object keys and keys whose value is undefined, at every depth', () => {
    const a = { items: [{ productId: 'p1', quantity: 2 }], customer: { email: 'x@example.com', name: 'X' } };
    const b = { customer: { name: 'X', email: 'x@example.com', phone: undefined }, items: [{ quantity: 2, productId: 'p1' }], note: undefined };
    expect(requestHash(b)).toBe(requestHash(a));
  });

  it('tells apart what differs: a value, a line order, a null from a missing key, a nested value, a type', () => {
    const base = { items: [{ productId: 'p1', quantity: 1 }, { productId: 'p2', quantity: 1 }], note: 'gift' };
    const variants = [
      { ...base, note: 'Gift' },
      { ...base, items: [...base.items].reverse() },
      { ...base, note: null },
      { items: base.items },
      { ...base, items: [{ productId: 'p1', quantity: 2 }, base.items[1]] },
      { ...base, items: [{ productId: 'p1', quantity: '1' }, base.items[1]] },
      { ...base, note: ['gift'] },
    ];
    const hashes = new Set([base, ...variants].map(requestHash));
    expect(hashes.size).toBe(variants.length + 1);
  });

  it('hashes a date by its instant, and is a SHA-256 hex digest', () => {
    expect(requestHash({ at: new Date('2026-01-01T00:00:00Z') })).toBe(requestHash({ at: new Date('2026-01-01T00:00:00.000Z') }));
    expect(requestHash({ at: new Date('2026-01-01T00:00:00Z') })).not.toBe(requestHash({ at: new Date('2026-01-02T00:00:00Z') }));
    expect(requestHash({ at: new Date('2026-01-01T00:00:00Z') })).not.toBe(requestHash({ at: {} }));
    expect(requestHash({})).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('validateIdempotencyKey', () => {
  it('accepts no key, and keys of 1 to 200 characters', () => {
    expect(validateIdempotencyKey(null)).toBeNull();
    expect(validateIdempotencyKey(undefined)).toBeNull();
    expect(validateIdempotencyKey('k')).toBe('k');
    expect(validateIdempotencyKey('k'.repeat(200))).toBe('k'.repeat(200));
  });

  it('refuses an empty key and one of 201 characters on idempotencyKey', () => {
    for (const key of ['', 'k'.repeat(201)]) {
      expect(() => validateIdempotencyKey(key)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'idempotencyKey' } }));
    }
  });
});
