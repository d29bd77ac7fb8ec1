import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Requirement } from '../graphql/auth-checker';
import { Actor as ActorObject } from '../graphql/common.types';
import type { Actor } from '../shared/actor';
import type { GraphQLContext } from '../graphql/context';
import type { ApiKey as ApiKeyEntity } from './api-key.entity';
import { createApiKey, listApiKeys, revokeApiKey } from './api-key.service';
import { ApiKey, CreateApiKeyInput, CreatedApiKey } from './api-key.types';

/** Key management is for the brand's ADMINs and OWNERs in the dashboard; no API key can list or mint keys. */
@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Authorized<Requirement>('ADMIN')
  @Query(() => [ApiKey], { description: "The brand's API keys, newest first, revoked ones included." })
  apiKeys(@Ctx() { ctx }: GraphQLContext) {
    return listApiKeys(ctx);
  }

  @Authorized<Requirement>('ADMIN')
  @Mutation(() => CreatedApiKey, { description: 'Creates a key; the response carries its secret, once.' })
  async createApiKey(@Ctx() { ctx }: GraphQLContext, @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput) {
    return createApiKey(ctx, input);
  }

  @Authorized<Requirement>('ADMIN')
  @Mutation(() => ApiKey, { description: 'Stops the key at once, on every API instance. Revoking twice is harmless.' })
  revokeApiKey(@Ctx() { ctx }: GraphQLContext, @Arg('id', () => ID) id: string) {
    return revokeApiKey(ctx, id);
  }

  @FieldResolver(() => ActorObject)
  createdBy(@Root() apiKey: ApiKeyEntity): Actor {
    return { type: apiKey.createdByType, id: apiKey.createdById, label: apiKey.createdByLabel };
  }
}
