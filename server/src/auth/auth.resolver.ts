import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { getBrand } from '../brands/brand.service';
import { Session } from '../brands/brand.types';
import type { GraphQLContext } from '../graphql/context';
import { signInFacts } from '../graphql/limits';
import type { Requirement } from '../graphql/auth-checker';
import { RequestContext } from '../shared/request-context';
import { login, logout } from './auth.service';

@Resolver()
export class AuthResolver {
  @Mutation(() => Session, { description: 'Sign in a dashboard user.' })
  async login(@Ctx() context: GraphQLContext, @Arg('email') email: string, @Arg('password') password: string) {
    const { ctx, sessionTtlHours } = context;
    const { clientAddress, limits } = signInFacts(context);
    const signedIn = await login(ctx.em, { email, password, clientAddress }, limits, sessionTtlHours);
    const asUser = RequestContext.create(ctx.em, signedIn.principal, ctx.requestId);
    const { actor, role, scopes } = signedIn.principal;
    return {
      token: signedIn.token,
      expiresAt: signedIn.expiresAt,
      viewer: { actor, role, scopes, brand: await getBrand(asUser) },
    };
  }

  @Authorized<Requirement>('VIEWER')
  @Mutation(() => Boolean, { description: 'Ends the current session.' })
  logout(@Ctx() { ctx }: GraphQLContext) {
    return logout(ctx);
  }
}
