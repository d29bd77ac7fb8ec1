import { Arg, Authorized, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { Requirement } from '../graphql/auth-checker';
import type { GraphQLContext } from '../graphql/context';
import { listAuditLog, type AuditLogPage } from './audit.queries';
import { AuditLogConnection, AuditLogEdge, AuditLogFilterInput } from './audit.types';

/** The audit log is for the brand's ADMINs and OWNERs in the dashboard; no API key reads it. */
@Resolver(() => AuditLogConnection)
export class AuditLogResolver {
  @Authorized<Requirement>('ADMIN')
  @Query(() => AuditLogConnection, { description: 'Every change in the brand, by every actor, newest first.' })
  auditLog(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => AuditLogFilterInput, { nullable: true }) filter: AuditLogFilterInput | null,
  ): Promise<AuditLogPage> {
    return listAuditLog(ctx, { first, after, filter });
  }

  @FieldResolver(() => [AuditLogEdge])
  edges(@Root() page: AuditLogPage) {
    return page.nodes.map((node, i) => ({ node, cursor: page.cursors[i] }));
  }

  @FieldResolver(() => Int, { description: 'Counted only when asked for.' })
  totalCount(@Root() page: AuditLogPage): Promise<number> {
    return page.totalCount();
  }
}
