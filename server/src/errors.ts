/**
 * Expected failures of the domain, each with a stable code that clients can rely on.
 * The GraphQL layer maps these to `extensions.code`; anything else is masked as INTERNAL_SERVER_ERROR.
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'INSUFFICIENT_STOCK'
  | 'INVALID_TRANSITION'
  | 'DISCOUNT_INVALID'
  | 'IDEMPOTENCY_CONFLICT'
  | 'CONFLICT'
  /** The feature needs configuration this server does not have (e.g. Stripe Checkout without STRIPE_SECRET_KEY). */
  | 'NOT_CONFIGURED'
  /** The payment provider failed or refused us for a reason that is not the input (down, rate-limited, bad key). */
  | 'PAYMENT_PROVIDER_ERROR'
  /** Too many requests or sign-ins for now; `retryAfterSeconds` says when to come back. */
  | 'THROTTLED'
  /** The operation costs more than the maximum; nothing ran. */
  | 'QUERY_TOO_COSTLY';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);

export const badInput = (field: string, message: string) =>
  new DomainError('BAD_USER_INPUT', `${field}: ${message}`, { field });

export const forbidden = (message = 'You are not allowed to do this') => new DomainError('FORBIDDEN', message);

export const unauthenticated = (message = 'Sign in first') => new DomainError('UNAUTHENTICATED', message);

/** What a lookup found, or NOT_FOUND naming what was missing (e.g. a use case reading back what it just wrote). */
export async function orNotFound<T>(lookup: Promise<T | null>, what: string): Promise<T> {
  const found = await lookup;
  if (found === null) throw notFound(what);
  return found;
}
