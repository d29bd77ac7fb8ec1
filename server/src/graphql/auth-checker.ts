import type { AuthCheckerInterface, ResolverData } from 'type-graphql';
import { isApiKeyScope, scopeGranted, type ApiKeyScope } from '../api-keys/api-key-scopes';
import { DomainError, forbidden, unauthenticated } from '../errors';
import { ROLES, type Role } from '../users/user.entity';
import type { GraphQLContext } from './context';

/** Marks a field any API key may read whatever its scopes (e.g. `viewer`: who am I, which scopes do I hold). */
export const ANY_API_KEY = 'ANY_API_KEY';

/** What `@Authorized(...)` lists: the lowest session role, and the scope an API key needs. */
export type Requirement = Role | ApiKeyScope | typeof ANY_API_KEY;

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/**
 * The one authorization check, for both kinds of credentials. `@Authorized('STAFF', 'orders:write')` means: a session
 * needs at least STAFF; an API key needs the orders:write scope. A field that names no scope is not for API keys
 * (keys never reach settings, users, discount codes or other keys) unless it says ANY_API_KEY.
 * No principal → UNAUTHENTICATED; otherwise FORBIDDEN naming the role or the scope that is missing.
 */
export class AuthChecker implements AuthCheckerInterface<GraphQLContext, Requirement> {
  check({ context }: ResolverData<GraphQLContext>, requirements: Requirement[]): boolean {
    const { ctx } = context;
    const principal = ctx.principal;
    if (!principal) throw unauthenticated();
    if (principal.actor.type === 'API_KEY') {
      const scopes = requirements.filter(isApiKeyScope);
      if (scopes.length === 0 && !requirements.includes(ANY_API_KEY)) {
        throw forbidden('API keys cannot use this field; it is for dashboard users');
      }
      for (const scope of scopes) {
        if (!scopeGranted(principal.scopes, scope)) {
          throw new DomainError('FORBIDDEN', `This API key lacks the ${scope} scope`, { missingScope: scope });
        }
      }
      return true;
    }
    const required = requirements.find(isRole) ?? 'VIEWER';
    if (!ctx.hasRole(required)) throw forbidden(`This needs the ${required} role or higher`);
    return true;
  }
}
