import { OrderLoaders } from '../orders/order-loaders';
import type { RequestContext } from '../shared/request-context';
import type { Stripe } from '../stripe/stripe-client';

/** Per-request GraphQL context: the domain's request context plus the loaders that batch child rows of a page. */
export class GraphQLContext {
  readonly orders: OrderLoaders;

  constructor(
    readonly ctx: RequestContext,
    readonly sessionTtlHours: number,
    /** The Stripe SDK client for outgoing calls; null when STRIPE_SECRET_KEY is unset. */
    readonly stripe: Stripe | null = null,
  ) {
    this.orders = new OrderLoaders(ctx);
  }
}
