import type { AuthCheckerInterface, ResolverData } from 'type-graphql';
import { forbidden, unauthenticated } from '../errors';
import type { Role } from '../users/user.entity';
import type { GraphQLContext } from './context';

/**
 * `@Authorized('STAFF')` means "at least STAFF". No principal → UNAUTHENTICATED; too low a role → FORBIDDEN
 * naming the role needed, so the dashboard can show it.
 */
export class AuthChecker implements AuthCheckerInterface<GraphQLContext, Role> {
  check({ context }: ResolverData<GraphQLContext>, roles: Role[]): boolean {
    const { ctx } = context;
    if (!ctx.isAuthenticated) throw unauthenticated();
    const required = roles[0] ?? 'VIEWER';
    if (!ctx.hasRole(required)) throw forbidden(`This needs the ${required} role or higher`);
    return true;
  }
}
