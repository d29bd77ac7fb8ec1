import { describe, expect, it } from 'vitest';
import { problemFrom } from '~/lib/errors';

const gql = (message: string, extensions: Record<string, unknown>) => ({ graphQLErrors: [{ message, extensions }] });

describe('problemFrom', () => {
  it('is null without an error', () => {
    expect(problemFrom(undefined)).toBeNull();
  });

  it('keeps the API’s words for domain errors', () => {
    expect(
      problemFrom(gql('Cannot move order from PENDING to PROCESSING: an order is processed only once it is paid.', { code: 'INVALID_TRANSITION' })),
    ).toEqual({ code: 'INVALID_TRANSITION', message: 'Cannot move order from PENDING to PROCESSING: an order is processed only once it is paid.' });
    expect(problemFrom(gql('Only 2 left of TEE-M', { code: 'INSUFFICIENT_STOCK' }))?.message).toBe('Not enough stock: Only 2 left of TEE-M');
    expect(problemFrom(gql('Code WELCOME10 has expired', { code: 'DISCOUNT_INVALID' }))?.message).toBe(
      'This discount code cannot be used: Code WELCOME10 has expired',
    );
    expect(problemFrom(gql('Only owners can do this', { code: 'FORBIDDEN' }))).toEqual({ code: 'FORBIDDEN', message: 'Only owners can do this' });
  });

  it('points BAD_USER_INPUT at the field', () => {
    expect(problemFrom(gql('customer.email: must be an email address', { code: 'BAD_USER_INPUT', field: 'customer.email' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'customer.email',
      message: 'Must be an email address',
    });
    expect(problemFrom(gql('too many', { code: 'BAD_USER_INPUT', field: 'items.0.quantity' }))?.message).toBe('Quantity: too many');
  });

  it('hides internals', () => {
    expect(problemFrom(gql('relation "orders" does not exist', { code: 'INTERNAL_SERVER_ERROR' }))?.message).toBe(
      'Something went wrong on our side. Please try again in a moment.',
    );
    expect(problemFrom(gql('boom', {}))?.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('explains idempotency conflicts and network failures', () => {
    expect(problemFrom(gql('key reused', { code: 'IDEMPOTENCY_CONFLICT' }))?.message).toMatch(/already sent with different details/);
    expect(problemFrom({ networkError: new Error('fetch failed') })).toEqual({
      code: 'NETWORK',
      message: 'We could not reach the server. Check your connection and try again.',
    });
    expect(problemFrom({ networkError: new Error('401'), response: { status: 401 } })?.code).toBe('UNAUTHENTICATED');
  });
});
