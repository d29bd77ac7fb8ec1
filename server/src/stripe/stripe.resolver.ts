import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { createCheckoutSession, type CheckoutSessionResult } from './checkout.service';
import {
  CheckoutSession,
  CreateCheckoutSessionInput,
  WebhookEventConnection,
  WebhookEventEdge,
  WebhookEventFilter,
} from './stripe.types';
import { listWebhookEvents, type WebhookEventPage } from './webhook-event.queries';

@Resolver()
export class StripeResolver {
  @Authorized('ADMIN')
  @Query(() => WebhookEventConnection, { description: 'Received Stripe events, newest first; `first` at most 100.' })
  webhookEvents(
    @Ctx() { ctx }: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => WebhookEventFilter, { nullable: true }) filter: WebhookEventFilter | null,
  ): Promise<WebhookEventPage> {
    return listWebhookEvents(ctx, { first, after, filter });
  }

  @Authorized('STAFF', 'orders:write')
  @Mutation(() => CheckoutSession, {
    description: 'A Stripe Checkout Session priced from the catalog and carrying the checkout metadata contract.',
  })
  createCheckoutSession(
    @Ctx() { ctx, stripe }: GraphQLContext,
    @Arg('input', () => CreateCheckoutSessionInput) input: CreateCheckoutSessionInput,
  ): Promise<CheckoutSessionResult> {
    return createCheckoutSession(ctx, stripe, input);
  }
}

@Resolver(() => WebhookEventConnection)
export class WebhookEventConnectionResolver {
  @FieldResolver(() => [WebhookEventEdge])
  edges(@Root() page: WebhookEventPage) {
    return page.nodes.map((node, i) => ({ node, cursor: page.cursors[i] }));
  }

  @FieldResolver(() => Int, { description: 'Counted only when asked for.' })
  totalCount(@Root() page: WebhookEventPage): Promise<number> {
    return page.totalCount();
  }
}
